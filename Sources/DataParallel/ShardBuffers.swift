/// One `Float` buffer per shard, each in its own allocation, summed in the fixed
/// ``PairwiseTree`` order.
///
/// A shard's work adds into its own buffer (no locks, no false sharing between shards);
/// ``reduce(shards:pool:)`` then sums them element by element. Every element's sum follows
/// the same tree whatever the worker count, so the result is bitwise reproducible.
public final class ShardBuffers: @unchecked Sendable {
    /// The number of buffers.
    public let shardCount: Int
    /// The number of elements in each buffer.
    public let length: Int
    private let storage: [UnsafeMutablePointer<Float>]

    /// Allocates `shardCount` zeroed buffers of `length` elements.
    public init(shardCount: Int, length: Int) {
        precondition(shardCount >= 1 && length >= 0)
        self.shardCount = shardCount
        self.length = length
        // 64-byte alignment keeps vector loads aligned and buffers off each other's lines.
        storage = (0..<shardCount).map { _ in
            let raw = UnsafeMutableRawPointer.allocate(
                byteCount: max(length, 1) * MemoryLayout<Float>.stride, alignment: 64)
            return raw.initializeMemory(as: Float.self, repeating: 0, count: max(length, 1))
        }
    }

    deinit {
        for p in storage { p.deallocate() }
    }

    /// The buffer of `shard`.
    @inlinable
    public func buffer(_ shard: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer(shard), count: length)
    }

    @usableFromInline
    func pointer(_ shard: Int) -> UnsafeMutablePointer<Float> { storage[shard] }

    /// Sets every element of the buffer of `shard` to 0.
    public func zero(_ shard: Int) {
        storage[shard].update(repeating: 0, count: length)
    }

    /// Elements per block of ``reduce(shards:pool:finish:)``: 16 buffers' blocks (2 KB each) fit
    /// a 32 KB L1.
    static let reduceBlock = 512

    /// Sums buffers `0..<shards` into buffer 0 along the fixed pairwise tree, calling
    /// `finish(range, total)` on each block as soon as it is summed (to consume the total while
    /// it is in cache); the ranges cover every element exactly once.
    /// The elements are split into chunks that run in parallel, and each chunk into blocks of
    /// ``reduceBlock``; each block follows the whole tree, so the split does not change any sum.
    /// - Returns: buffer 0, which now holds the total.
    @discardableResult
    public func reduce(shards: Int, pool: WorkerPool,
                       finish: ((_ range: Range<Int>, _ total: UnsafeMutablePointer<Float>) -> Void)? = nil)
        -> UnsafeMutableBufferPointer<Float>
    {
        precondition(shards >= 1 && shards <= shardCount)
        let chunks = ShardPlan(count: length, grain: 2048, maxShards: 64)
        let buffers = storage
        pool.parallelFor(chunks, cost: 2 * shards * length) { _, range in
            // The tree runs over one block of the chunk at a time, so each block of every
            // buffer is read from L2 once and then stays in L1 for the whole tree.
            var start = range.lowerBound
            while start < range.upperBound {
                let block = start..<min(start + Self.reduceBlock, range.upperBound)
                PairwiseTree.visitPairs(count: shards) { into, from in
                    let a = buffers[into], b = buffers[from]
                    for i in block { a[i] += b[i] }
                }
                finish?(block, buffers[0])
                start = block.upperBound
            }
        }
        return buffer(0)
    }
}

extension ShardBuffers {
    /// Sums the shards of each of `nodes` into the node's first buffer, along the pairs of the
    /// tree over `0..<shards` inside it (``PairwiseTree/visitPairs(count:inside:_:)``), in
    /// parallel over blocks of elements.
    public func reduce(nodes: [TreeNode], shards: Int, pool: WorkerPool) {
        precondition(shards >= 1 && shards <= shardCount)
        let needed = nodes.filter { $0.shards(count: shards).count > 1 }
        if needed.isEmpty { return }
        let chunks = ShardPlan(count: length, grain: 2048, maxShards: 64)
        let buffers = storage
        pool.parallelFor(chunks, cost: 2 * shards * length) { _, range in
            for node in needed {
                PairwiseTree.visitPairs(count: shards, inside: node) { into, from in
                    let a = buffers[into], b = buffers[from]
                    for i in range { a[i] += b[i] }
                }
            }
        }
    }
}
