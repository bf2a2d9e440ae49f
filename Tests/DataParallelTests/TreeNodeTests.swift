import DataParallel
import Foundation
import Testing

/// The tree cut: processes that each sum the whole nodes over their shards and then finish the
/// tree above them reproduce the one-process pairwise sum bit for bit.
@Suite struct TreeNodeTests {
    /// All pairs of the tree over `0..<count`, in order.
    static func pairs(count: Int) -> [[Int]] {
        var out: [[Int]] = []
        PairwiseTree.visitPairs(count: count) { out.append([$0, $1]) }
        return out
    }

    @Test func coverOfAWorkedExample() {
        // 8 shards, 3 processes: runs 0..<2, 2..<5, 5..<8.
        let o = (0..<3).map { ShardOwnership(rank: $0, size: 3) }
        #expect(o.map { $0.shards(of: 8) } == [0..<2, 2..<5, 5..<8])
        let cut = o[0].cut(shards: 8)
        #expect(cut == [[TreeNode(first: 0, level: 1)],
                        [TreeNode(first: 2, level: 1), TreeNode(first: 4, level: 0)],
                        [TreeNode(first: 5, level: 0), TreeNode(first: 6, level: 1)]])
        var above: [[Int]] = []
        PairwiseTree.visitPairs(count: 8, above: cut.flatMap { $0 }) { above.append([$0, $1]) }
        // Level 1: (4 <- 5) joins two processes' leaves; level 2: (0 <- 2), (4 <- 6); level 3: (0 <- 4).
        #expect(above == [[4, 5], [0, 2], [4, 6], [0, 4]])
    }

    @Test func nodesCoverTheirRangeExactlyWithAlignedNodes() {
        for count in 1...40 {
            for lo in 0..<count {
                for hi in (lo + 1)...count {
                    let nodes = PairwiseTree.nodes(covering: lo..<hi, count: count)
                    var covered: [Int] = []
                    for n in nodes {
                        #expect(n.first % (1 << n.level) == 0)
                        covered += Array(n.shards(count: count))
                    }
                    #expect(covered == Array(lo..<hi), "count \(count) range \(lo)..<\(hi): \(nodes)")
                    // Fewest: no two neighbours could merge into their parent.
                    #expect(nodes.count <= 2 * (Int.bitWidth - (hi - lo).leadingZeroBitCount) + 1)
                }
            }
        }
    }

    /// Inside pairs plus above pairs are the tree's pairs, each once, and a float sum split
    /// that way has the one-process bits, for every count up to 40 and 1 to 7 processes.
    @Test func insideAndAbovePairsAreTheTreeAndGiveItsBits() {
        var rng = SystemRandomNumberGenerator()
        for count in 1...40 {
            let values = (0..<count).map { _ in Float.random(in: -1...1, using: &rng) * Float(1 << Int.random(in: 0...20, using: &rng)) }
            var whole = values
            PairwiseTree.visitPairs(count: count) { whole[$0] += whole[$1] }
            for size in 1...7 {
                let cut = ShardOwnership(rank: 0, size: size).cut(shards: count)
                var inside: [[Int]] = [], split = values
                for nodes in cut {
                    for node in nodes {
                        PairwiseTree.visitPairs(count: count, inside: node) { inside.append([$0, $1]); split[$0] += split[$1] }
                    }
                }
                var above: [[Int]] = []
                PairwiseTree.visitPairs(count: count, above: cut.flatMap { $0 }) { above.append([$0, $1]); split[$0] += split[$1] }
                #expect(Set(inside + above) == Set(Self.pairs(count: count)))
                #expect(inside.count + above.count == Self.pairs(count: count).count)
                #expect(split[0].bitPattern == whole[0].bitPattern, "count \(count), \(size) processes")
            }
        }
    }

    @Test func ownershipSplitsShardsContiguouslyAndSomeProcessesMayOwnNone() {
        for shards in 0...17 {
            for size in 1...6 {
                let runs = (0..<size).map { ShardOwnership.shards(of: shards, rank: $0, size: size) }
                #expect(runs.flatMap { Array($0) } == Array(0..<shards))
            }
        }
        #expect(ShardOwnership.shards(of: 2, rank: 0, size: 4).isEmpty)
    }

    /// Members that run on their own threads gather in rank order, see the root's broadcast and
    /// receive their part of every member's all-to-all.
    @Test func localProcessGroupGathersBroadcastsAndExchanges() {
        let members = LocalProcessGroup.make(size: 4)
        let results = Mutex4()
        let done = DispatchGroup()
        for member in members {
            done.enter()
            Thread {
                // Rank r sends r + 1 bytes, each r.
                let mine = [UInt8](repeating: UInt8(member.rank), count: member.rank + 1)
                var all = [UInt8](repeating: 0, count: 10)
                mine.withUnsafeBytes { m in
                    all.withUnsafeMutableBytes { member.allGather(m, counts: [1, 2, 3, 4], into: $0) }
                }
                let root = member.broadcast(member.rank == 2 ? 77 : -1, root: 2)
                // All-to-all: rank r sends q + 1 bytes of value 10 r + q to rank q.
                let sendCounts = (0..<4).map { $0 + 1 }
                let parts = (0..<4).flatMap { q in [UInt8](repeating: UInt8(10 * member.rank + q), count: q + 1) }
                var got = [UInt8](repeating: 0, count: 4 * (member.rank + 1))
                parts.withUnsafeBytes { s in
                    got.withUnsafeMutableBytes {
                        member.allToAll(s, sendCounts: sendCounts, into: $0, receiveCounts: Array(repeating: member.rank + 1, count: 4))
                    }
                }
                let expected = (0..<4).flatMap { r in [UInt8](repeating: UInt8(10 * r + member.rank), count: member.rank + 1) }
                results.set(member.rank, all + [UInt8(root)] + (got == expected ? [1] : [0]))
                done.leave()
            }.start()
        }
        done.wait()
        for r in 0..<4 { #expect(results.get(r) == [0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 77, 1]) }
    }

    final class Mutex4: @unchecked Sendable {
        let lock = NSLock()
        var values: [Int: [UInt8]] = [:]
        func set(_ k: Int, _ v: [UInt8]) { lock.withLock { values[k] = v } }
        func get(_ k: Int) -> [UInt8]? { lock.withLock { values[k] } }
    }
}
