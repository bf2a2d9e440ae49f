import DataParallel
import Testing

@Suite struct ShardPlanTests {
    @Test(arguments: [(0, 4), (1, 4), (5, 8), (10, 3), (100, 7), (256, 16), (1000, 1)])
    func shardsCoverTheRangeInOrder(count: Int, shards: Int) {
        let plan = ShardPlan(count: count, shardCount: shards)
        #expect(plan.shardCount == min(count, shards))
        var next = 0
        for r in plan.ranges {
            #expect(r.lowerBound == next)
            #expect(!r.isEmpty)
            next = r.upperBound
        }
        #expect(next == count)
        // Balanced: shard sizes differ by at most one.
        let sizes = plan.ranges.map(\.count)
        if let lo = sizes.min(), let hi = sizes.max() { #expect(hi - lo <= 1) }
    }

    @Test func grainAndCapDecideTheShardCount() {
        #expect(ShardPlan(count: 10, grain: 16, maxShards: 16).shardCount == 1)
        #expect(ShardPlan(count: 32, grain: 16, maxShards: 16).shardCount == 2)
        #expect(ShardPlan(count: 47, grain: 16, maxShards: 16).shardCount == 2)
        #expect(ShardPlan(count: 256, grain: 16, maxShards: 16).shardCount == 16)
        #expect(ShardPlan(count: 100_000, grain: 16, maxShards: 16).shardCount == 16)
    }

    @Test func boundariesAreTheFormula() {
        // Shard s covers s*n/S ..< (s+1)*n/S: for n = 10, S = 3 that is 0..<3, 3..<6, 6..<10.
        let plan = ShardPlan(count: 10, shardCount: 3)
        #expect(plan.ranges == [0..<3, 3..<6, 6..<10])
    }
}

@Suite struct PairwiseTreeTests {
    @Test func pairsOfSixFollowTheTree() {
        var pairs: [String] = []
        PairwiseTree.visitPairs(count: 6) { into, from in pairs.append("\(into)<\(from)") }
        #expect(pairs == ["0<1", "2<3", "4<5", "0<2", "0<4"])
    }

    @Test(arguments: [1, 2, 3, 5, 8, 13, 16, 33])
    func everySlotIsCombinedOnceIntoSlotZero(count: Int) {
        var slots = (0..<count).map { Set([$0]) }
        PairwiseTree.visitPairs(count: count) { into, from in
            #expect(slots[into].isDisjoint(with: slots[from]))
            slots[into].formUnion(slots[from])
        }
        #expect(slots[0] == Set(0..<count))
    }
}
