import DataParallel
import Foundation
import Testing

/// The README's example of DataParallel ("Using the libraries") used for a job that is not training: a
/// reproducible parallel norm and an element-wise transform.
@Suite struct ReadmeExampleTests {
    // The README's function, word for word (but `static`).
    static func rootMeanSquare(_ values: [Double], workers: Int = 0) throws -> Double {
        let pool = try WorkerPool(workers: workers)            // 0 = one per active core
        let plan = ShardPlan(count: values.count, grain: 4096, maxShards: 64)
        let sum = pool.mapReduce(plan, map: { _, range in       // runs shards in parallel
            values[range].reduce(0) { $0 + $1 * $1 }
        }, combine: +) ?? 0                                     // combined along a fixed tree
        return (sum / Double(max(values.count, 1))).squareRoot()
    }

    @Test func sameBitsForAnyWorkerCount() throws {
        var g = SystemRandomNumberGenerator()
        let values = (0..<300_000).map { _ in Double.random(in: -1e6...1e6, using: &g) }
        let one = try Self.rootMeanSquare(values, workers: 1)
        #expect(try Self.rootMeanSquare(values).bitPattern == one.bitPattern)  // the default, 0: every core
        for w in [2, 3, 8] { #expect(try Self.rootMeanSquare(values, workers: w).bitPattern == one.bitPattern) }
        let serial = (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
        #expect(abs(one - serial) <= 1e-12 * serial)
    }

    @Test func parallelForWritesDisjointRanges() throws {
        let pool = try WorkerPool(workers: 0)
        let n = 10_000
        let out = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
        defer { out.deallocate() }
        pool.parallelFor(ShardPlan(count: n, grain: 512, maxShards: 32)) { _, range in
            for i in range { out[i] = i * i }
        }
        #expect(Array(out) == (0..<n).map { $0 * $0 })
    }
}
