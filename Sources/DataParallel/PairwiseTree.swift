/// The fixed combine order for shard results: a pairwise (binary) tree over shard indices.
///
/// For `count` = 6 the pairs are, level by level,
/// (0 <- 1), (2 <- 3), (4 <- 5); (0 <- 2); (0 <- 4): every result ends in slot 0.
/// The order depends only on `count`, so any computation that combines shard results in
/// this order is bitwise reproducible, whoever computed the shards, on one machine or many.
public enum PairwiseTree {
    /// Calls `combine(into, from)` for every pair of the tree over `0..<count`, in order.
    /// After the last call, slot 0 holds the combination of all slots.
    @inlinable
    public static func visitPairs(count: Int, _ combine: (_ into: Int, _ from: Int) -> Void) {
        var stride = 1
        while stride < count {
            var i = 0
            while i + stride < count {
                combine(i, i + stride)
                i += 2 * stride
            }
            stride *= 2
        }
    }
}
