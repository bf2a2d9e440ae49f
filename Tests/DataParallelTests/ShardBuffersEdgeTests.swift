import DataParallel
import Synchronization
import Testing

@Suite struct ShardBuffersEdgeTests {
    /// Lengths around the 512-element block and the 2048-element chunk, 1 to 11 shards.
    @Test(arguments: [0, 1, 2, 511, 512, 513, 2047, 2048, 2049, 4095, 4096, 4097, 64 * 2048 + 1])
    func reduceMatchesTheSerialTreeAndFinishesEveryElementOnce(length: Int) throws {
        for shards in [1, 2, 3, 11] {
            func filled() -> ShardBuffers {
                let b = ShardBuffers(shardCount: shards + 1, length: length)  // one buffer more than summed
                for s in 0...shards {
                    let buf = b.buffer(s)
                    for i in 0..<length { buf[i] = WorkerPoolTests.awkward[(s * 131 + i * 7) % WorkerPoolTests.awkward.count] }
                }
                return b
            }
            let ref = filled()
            var rows = (0..<shards).map { Array(ref.buffer($0)) }
            PairwiseTree.visitPairs(count: shards) { into, from in
                for i in 0..<length { rows[into][i] += rows[from][i] }
            }
            for workers in [1, 2, 3] {
                let b = filled()
                let seen = Mutex([Int](repeating: 0, count: length))
                let sum = b.reduce(shards: shards, pool: try WorkerPool(workers: workers)) { range, total in
                    seen.withLock { for i in range { $0[i] += 1 } }
                }
                #expect(sum.count == length)
                #expect(sum.map(\.bitPattern) == rows[0].map(\.bitPattern), "length \(length), \(shards) shards, \(workers) workers")
                #expect(seen.withLock { $0 } == [Int](repeating: 1, count: length))
            }
        }
    }
}
