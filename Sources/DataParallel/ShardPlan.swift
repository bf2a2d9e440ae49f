/// A fixed cut of the index range `0..<count` into `shardCount` contiguous shards.
///
/// Shard `s` covers `s * count / shardCount ..< (s + 1) * count / shardCount`, so the
/// boundaries depend only on `count` and `shardCount`, never on how many workers run them.
/// That is what makes a reduction over shards give the same bits for any worker count.
public struct ShardPlan: Sendable, Equatable, CustomStringConvertible {
    /// The number of indices covered.
    public let count: Int
    /// The number of shards; 0 only when `count` is 0.
    public let shardCount: Int

    /// A plan with exactly `shardCount` shards (fewer when `count` is smaller).
    /// - Parameters:
    ///   - count: size of the index range, >= 0.
    ///   - shardCount: wanted number of shards, >= 1.
    public init(count: Int, shardCount: Int) {
        precondition(count >= 0 && shardCount >= 1, "ShardPlan needs count >= 0 and shardCount >= 1")
        self.count = count
        self.shardCount = min(count, shardCount)
    }

    /// A plan whose shards hold at least `grain` indices each (except when `count < grain`)
    /// and number at most `maxShards`: shardCount = clamp(count / grain, 1, maxShards).
    public init(count: Int, grain: Int, maxShards: Int) {
        precondition(grain >= 1 && maxShards >= 1, "ShardPlan needs grain >= 1 and maxShards >= 1")
        self.init(count: count, shardCount: max(1, min(maxShards, count / grain)))
    }

    /// The indices of shard `shard`.
    @inlinable
    public func range(of shard: Int) -> Range<Int> {
        precondition(shard >= 0 && shard < shardCount, "shard \(shard) out of 0..<\(shardCount)")
        return boundary(shard)..<boundary(shard + 1)
    }

    /// `shard * count / shardCount`, exact also where the product overflows `Int` (counts
    /// near `Int.max`, or billions of indices in millions of shards).
    @inlinable
    func boundary(_ shard: Int) -> Int {
        let (product, overflow) = shard.multipliedReportingOverflow(by: count)
        if !overflow { return product / shardCount }
        return shardCount.dividingFullWidth(shard.multipliedFullWidth(by: count)).quotient
    }

    /// All shard ranges, in order.
    public var ranges: [Range<Int>] { (0..<shardCount).map(range(of:)) }

    public var description: String { "ShardPlan(count: \(count), shards: \(shardCount))" }
}
