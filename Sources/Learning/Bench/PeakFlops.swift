import DataParallel
import Foundation
internal import LearningKernels
import Synchronization

/// The machine's floating-point ceiling, measured the way the kernels compute: fused
/// multiply-adds on 8-lane float32 vectors with enough independent accumulators to hide
/// their latency (the loop is `fmaLoop` in LearningKernels, built for the target CPU like
/// the kernels). A FLOP here is one multiply or one add (an FMA is two).
public enum PeakFlops {
    /// FLOP/s of one thread and of all the pool's workers at once.
    public static func measure(pool: WorkerPool, seconds: Double = 0.2) -> (perCore: Double, machine: Double) {
        let perShard = 2_000_000  // iterations; 12 accumulators x 8 lanes x 2 FLOP each
        let flopsPerShard = Double(perShard) * 12 * 8 * 2
        // One thread: repeat until the clock has seen enough.
        var best = 0.0
        let deadline = Date().addingTimeInterval(seconds / 2)
        repeat {
            let start = Date()
            sink(fmaLoop(perShard, seed: 1))
            best = max(best, flopsPerShard / Date().timeIntervalSince(start))
        } while Date() < deadline
        // All workers: many equal shards, so every thread stays busy to the end.
        let shards = 16 * pool.workerCount
        var bestAll = 0.0
        for _ in 0..<3 {
            let start = Date()
            pool.forEachShard(shards) { s in sink(fmaLoop(perShard / 4, seed: Float(s))) }
            bestAll = max(bestAll, Double(shards) * flopsPerShard / 4 / Date().timeIntervalSince(start))
        }
        return (best, max(bestAll, best))
    }

    /// Keeps the loops' results alive so the optimiser cannot drop the loops.
    private static let kept = Atomic<UInt32>(0)
    @inline(never)
    static func sink(_ v: Float) { kept.store(v.bitPattern, ordering: .relaxed) }
}
