/// Which shards of a step each of several processes computes: process `rank` of `size` owns the
/// contiguous run `rank * shards / size ..< (rank + 1) * shards / size` (empty when there are
/// fewer shards than processes). The run changes only who computes a shard, never the shard
/// plan or the order of the sums, so the result is the same for any process count.
public struct ShardOwnership: Sendable, Equatable {
    public let rank: Int
    public let size: Int

    public init(rank: Int, size: Int) {
        precondition(size >= 1 && rank >= 0 && rank < size, "ShardOwnership: rank \(rank) of \(size)")
        self.rank = rank
        self.size = size
    }

    /// The shards of `0..<shards` that process `rank` computes.
    public static func shards(of shards: Int, rank: Int, size: Int) -> Range<Int> {
        (rank * shards / size)..<((rank + 1) * shards / size)
    }

    /// This process's shards of `0..<shards`.
    public func shards(of shards: Int) -> Range<Int> { Self.shards(of: shards, rank: rank, size: size) }

    /// Every process's tree nodes over `0..<shards`, in rank order: the cut whose node sums
    /// the processes exchange (``TreeNode``).
    public func cut(shards: Int) -> [[TreeNode]] {
        (0..<size).map { PairwiseTree.nodes(covering: Self.shards(of: shards, rank: $0, size: size), count: shards) }
    }
}
