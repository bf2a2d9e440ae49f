import DataParallel
import Foundation
import Synchronization

/// The machine's floating-point ceiling, measured the way the kernels compute: fused
/// multiply-adds on 8-lane float32 vectors with enough independent accumulators to hide
/// their latency. A FLOP here is one multiply or one add (an FMA is two).
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

    /// a_i <- a_i * m + c (one FMA) on 12 independent vectors, `n` times.
    @inline(never)
    static func fmaLoop(_ n: Int, seed: Float) -> Float {
        var acc = InlineArray<12, Lanes>(repeating: Lanes(repeating: seed))
        let m = Lanes(repeating: 0.999_999), c = Lanes(repeating: 1e-6)
        for _ in 0..<n {
            for i in 0..<12 { acc[i] = c.addingProduct(acc[i], m) }
        }
        var s = Lanes()
        for i in 0..<12 { s += acc[i] }
        return horizontalSum(s)
    }
}
