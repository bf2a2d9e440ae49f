import Foundation
internal import LearningKernels
import Synchronization

/// The machine's floating-point ceiling for each thread count, measured the way the kernels
/// compute: fused multiply-adds on the kernels' float32 vectors with enough independent
/// accumulators to hide their latency (the loop is `fmaLoop` in LearningKernels, built for the
/// target CPU like the kernels). A FLOP here is one multiply or one add (an FMA is two).
///
/// With t threads, every thread runs the same loop at the same time (``SimultaneousRun``: no
/// thread starts before all have arrived), and the rate is t x the loop's FLOPs over the
/// window from the first start to the last end; the best of a few runs counts. A thread that
/// started late makes the window longer, never shorter, so a late thread can lower a run's
/// figure but not pass one core's rate off as two cores'.
public struct PeakFlops: Sendable, Equatable {
    /// FLOP/s with t threads at index t - 1.
    public var byThreads: [Double]

    public init(byThreads: [Double]) {
        precondition(!byThreads.isEmpty)
        self.byThreads = byThreads
    }

    /// FLOP/s of one thread.
    public var perCore: Double { byThreads[0] }

    /// FLOP/s of `threads` threads at once (the largest count measured, beyond it).
    public func flops(threads: Int) -> Double { byThreads[min(max(threads, 1), byThreads.count) - 1] }

    /// Measures 1...`maxThreads` threads, each the best of `repeats` simultaneous runs of
    /// `iterations` loop iterations per thread.
    public static func measure(maxThreads: Int, repeats: Int = 5, iterations: Int = 2_000_000) -> PeakFlops {
        precondition(maxThreads >= 1 && repeats >= 1)
        return PeakFlops(byThreads: (1...maxThreads).map { t in
            (0..<repeats).map { _ in run(threads: t, iterations: iterations).flops }.max()!
        })
    }

    /// One simultaneous run: FLOP/s over its window, and each thread's window.
    public static func run(threads: Int, iterations: Int) -> (flops: Double, windows: [SimultaneousRun.Window]) {
        let windows = SimultaneousRun.run(threads: threads) { t in sink(fmaLoop(iterations, seed: 1 + Float(t))) }
        let flops = Double(threads) * Double(iterations) * Double(fmaLoopFlopsPerIteration)
        return (flops / SimultaneousRun.seconds(windows), windows)
    }

    /// Keeps the loops' results alive so the optimiser cannot drop the loops.
    private static let kept = Atomic<UInt32>(0)
    @inline(never)
    static func sink(_ v: Float) { kept.store(v.bitPattern, ordering: .relaxed) }
}
