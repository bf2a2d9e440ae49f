import DataParallel

/// How an epoch of `rows` rows is cut into mini-batches of `training.batch_size`, and each
/// batch into shards: the one place that derives batch and shard sizes.
///
/// A batch is the next `size` rows of the epoch's permutation (the last one may be shorter);
/// a batch of b rows has clamp(b / 32, 1, 16) shards (``plan(batchRows:)``). The plan depends
/// only on b, never on the worker count, so the same options give the same bits for any
/// worker count.
struct Batches: Sendable {
    /// Rows of a full batch: batch_size, or the row count when that is smaller.
    let size: Int
    /// Rows of an epoch.
    let rows: Int

    init(batchSize: Int, rows: Int) {
        precondition(batchSize >= 1 && rows >= 1)
        size = min(batchSize, rows)
        self.rows = rows
    }

    /// Batches in an epoch.
    var perEpoch: Int { (rows + size - 1) / size }

    /// Rows of the batch that starts at row `first` of the epoch.
    func rows(at first: Int) -> Int { min(size, rows - first) }

    /// Shards of the largest batch: the per-shard buffers to allocate.
    var maxShards: Int { Self.plan(batchRows: size).shardCount }

    /// The most rows one shard of any batch can hold: the per-shard scratch to allocate.
    var maxShardRows: Int { Self.maxShardRows(batchSize: size) }

    /// Rows per shard at the least, and the most shards per batch. Fixed, so the shard plan
    /// never depends on the worker count. (32 rows per shard halves the gradient buffers to
    /// sum compared with 16, about 5% of a W1 epoch; a batch of 256 still gives 8 shards, 512
    /// gives 16.)
    static let shardGrain = 32
    static let maxShardsPerBatch = 16

    /// The shard plan of a batch of `rows` rows.
    static func plan(batchRows rows: Int) -> ShardPlan {
        ShardPlan(count: rows, grain: shardGrain, maxShards: maxShardsPerBatch)
    }

    /// The most rows any shard of a batch of up to `batchSize` rows can hold.
    static func maxShardRows(batchSize: Int) -> Int {
        // Beyond grain * maxShards rows the shard count is fixed and shard size grows with b.
        let limit = min(batchSize, shardGrain * maxShardsPerBatch)
        var most = 0
        for b in Set([batchSize] + Array(1...max(limit, 1))) where b <= batchSize {
            most = max(most, plan(batchRows: b).ranges.map(\.count).max() ?? 0)
        }
        return most
    }
}
