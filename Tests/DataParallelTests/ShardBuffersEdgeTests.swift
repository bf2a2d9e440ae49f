import DataParallel
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
                // Each element belongs to one block, so plain writes do not race unless one is finished twice.
                let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: length)
                seen.initialize(repeating: 0)
                defer { seen.deallocate() }
                let sum = b.reduce(shards: shards, pool: try WorkerPool(workers: workers)) { range, total in
                    for i in range { seen[i] += 1 }
                }
                #expect(sum.count == length)
                #expect(sum.map(\.bitPattern) == rows[0].map(\.bitPattern), "length \(length), \(shards) shards, \(workers) workers")
                #expect(Array(seen) == [Int](repeating: 1, count: length))
            }
        }
    }
}
