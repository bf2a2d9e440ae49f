/// A node of the ``PairwiseTree`` over shards `0..<count`: the shards
/// `first ..< min(first + 2^level, count)`, with `first` a multiple of 2^level. The tree builds
/// each node's sum in slot `first` (a leaf, level 0, is one shard).
///
/// Several processes that each own a contiguous run of shards can reproduce the one-process
/// sum bit for bit: each sums the whole nodes that cover its run
/// (``PairwiseTree/nodes(covering:count:)`` and ``PairwiseTree/visitPairs(count:inside:_:)``),
/// the processes exchange those node sums, and every process finishes the tree above them
/// (``PairwiseTree/visitPairs(count:above:_:)``). The pairs inside the nodes and the pairs above
/// them are exactly the tree's pairs, and each slot receives them in the tree's order.
public struct TreeNode: Hashable, Sendable, CustomStringConvertible {
    /// The node's first shard, where its sum is built.
    public let first: Int
    /// The node spans 2^level shards (fewer at the end of the range).
    public let level: Int

    public init(first: Int, level: Int) {
        precondition(level >= 0 && level < Int.bitWidth - 2 && first >= 0 && first % (1 << level) == 0,
                     "TreeNode: first \(first) is not a multiple of 2^\(level)")
        self.first = first
        self.level = level
    }

    /// The shards the node spans in a tree over `0..<count`.
    public func shards(count: Int) -> Range<Int> { first..<min(first + (1 << level), count) }

    /// True when `other` lies inside this node (or is it).
    public func contains(_ other: TreeNode) -> Bool {
        other.level <= level && other.first >> level == first >> level
    }

    public var description: String { "TreeNode(first: \(first), level: \(level))" }
}

extension PairwiseTree {
    /// The fewest whole tree nodes that cover `range` of `0..<count`, in shard order: from the
    /// range's start, each time the largest node that starts there and ends inside the range.
    public static func nodes(covering range: Range<Int>, count: Int) -> [TreeNode] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "nodes(covering:): \(range) is outside 0..<\(count)")
        var nodes: [TreeNode] = []
        var first = range.lowerBound
        while first < range.upperBound {
            var level = 0
            // Grow while the bigger node starts here and its shards (clipped to count) stay inside.
            while first % (1 << (level + 1)) == 0, (1 << level) < count,
                  min(first + (1 << (level + 1)), count) <= range.upperBound
            {
                level += 1
            }
            let node = TreeNode(first: first, level: level)
            nodes.append(node)
            first = node.shards(count: count).upperBound
        }
        return nodes
    }

    /// Calls `combine(into, from)` for the pairs of the tree over `0..<count` that lie inside
    /// `node`, in the tree's order. After the last call, slot `node.first` holds the node's sum
    /// exactly as ``visitPairs(count:_:)`` builds it there.
    @inlinable
    public static func visitPairs(count: Int, inside node: TreeNode, _ combine: (_ into: Int, _ from: Int) -> Void) {
        let span = node.shards(count: count)
        visitPairs(count: span.count) { into, from in combine(span.lowerBound + into, span.lowerBound + from) }
    }

    /// Calls `combine(into, from)` for the pairs of the tree over `0..<count` that lie above
    /// `cut`, in the tree's order. `cut` is a set of nodes that cover `0..<count` once, each
    /// node's sum already in its slot `first`. After the last call, slot 0 holds the total,
    /// bit for bit the one ``visitPairs(count:_:)`` gives.
    public static func visitPairs(count: Int, above cut: [TreeNode], _ combine: (_ into: Int, _ from: Int) -> Void) {
        var stride = 1, level = 0
        while stride < count {
            var i = 0
            while i + stride < count {
                // The pair (i, i + stride) builds node (i, level + 1); cut nodes already hold it
                // when it lies inside one of them.
                let built = TreeNode(first: i, level: level + 1)
                if !cut.contains(where: { $0.contains(built) }) { combine(i, i + stride) }
                i += 2 * stride
            }
            stride *= 2
            level += 1
        }
    }
}
