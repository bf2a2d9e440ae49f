import DataParallel
import Testing

@Suite struct ShardPlanEdgeTests {
    @Test func shardsCoverEveryIndexOnceForManyPlans() {
        var plans = [(Int, Int)]()
        for count in 0...130 { for shards in 1...70 { plans.append((count, shards)) } }
        for count in [1000, 4097, 65_537, 1_000_003] { for shards in [1, 2, 3, 7, 64, 1000, 4096] { plans.append((count, shards)) } }
        var failures = [String]()
        for (count, shards) in plans {
            let plan = ShardPlan(count: count, shardCount: shards)
            var next = 0, lo = Int.max, hi = 0, ok = plan.shardCount == min(count, shards)
            for r in plan.ranges {
                ok = ok && r.lowerBound == next && !r.isEmpty
                next = r.upperBound
                lo = min(lo, r.count); hi = max(hi, r.count)
            }
            ok = ok && next == count && (count == 0 || hi - lo <= 1)
            if !ok { failures.append("\(count)/\(shards)") }
        }
        #expect(failures.isEmpty)
    }

    @Test func grainAndMaxShardsAtTheirEdges() {
        #expect(ShardPlan(count: 0, grain: 16, maxShards: 8).shardCount == 0)
        #expect(ShardPlan(count: 0, grain: 1, maxShards: 1).ranges == [])
        #expect(ShardPlan(count: 1, grain: 1, maxShards: 1).ranges == [0..<1])
        #expect(ShardPlan(count: 5, grain: Int.max, maxShards: Int.max).ranges == [0..<5])
        #expect(ShardPlan(count: 5, grain: 1, maxShards: Int.max).shardCount == 5)
        #expect(ShardPlan(count: 100, grain: 1, maxShards: 1).ranges == [0..<100])
        #expect(ShardPlan(count: 100, grain: 50, maxShards: 3).shardCount == 2)
        #expect(ShardPlan(count: 99, grain: 50, maxShards: 3).shardCount == 1)
        #expect(ShardPlan(count: 3, shardCount: Int.max).ranges == [0..<1, 1..<2, 2..<3])
    }

    /// `shard * count` overflows `Int` for huge counts; the boundaries must still be
    /// `s * count / S`, exactly.
    @Test func hugeCountsDoNotOverflow() {
        let plan = ShardPlan(count: Int.max, shardCount: 3)
        let third = Int(UInt128(Int.max) / 3), twoThirds = Int(2 * UInt128(Int.max) / 3)
        #expect(plan.ranges == [0..<third, third..<twoThirds, twoThirds..<Int.max])
        let big = ShardPlan(count: 1 << 40, shardCount: 1 << 24)  // 1T indices in 16M shards
        #expect(big.range(of: (1 << 24) - 1) == ((1 << 40) - (1 << 16))..<(1 << 40))
        #expect(big.range(of: 12_345) == (12_345 << 16)..<(12_346 << 16))
        let count = Int.max - 7, shards = 1_000_003
        let odd = ShardPlan(count: count, shardCount: shards)
        for s in [0, 1, 2, 500_000, 1_000_001, 1_000_002] {
            let lower = Int(UInt128(s) * UInt128(count) / UInt128(shards))
            let upper = Int(UInt128(s + 1) * UInt128(count) / UInt128(shards))
            #expect(odd.range(of: s) == lower..<upper, "shard \(s)")
        }
        #expect(odd.range(of: shards - 1).upperBound == count)
    }
}
