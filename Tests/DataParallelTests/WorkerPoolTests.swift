import DataParallel
import Foundation
import Synchronization
import Testing

final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

@Suite struct WorkerPoolTests {
    @Test func workerCountZeroMeansAllCores() throws {
        #expect(try WorkerPool(workers: 0).workerCount == WorkerPool.activeCores)
        #expect(try WorkerPool(workers: 3).workerCount == 3)
    }

    @Test func badWorkerCountsThrow() {
        #expect(throws: WorkerPoolError.negativeWorkerCount(-1)) { try WorkerPool(workers: -1) }
        #expect(throws: WorkerPoolError.tooManyWorkers(5000, limit: WorkerPool.maxWorkers)) { try WorkerPool(workers: 5000) }
    }

    @Test(arguments: [1, 2, 3, 8])
    func everyShardRunsExactlyOnce(workers: Int) throws {
        let pool = try WorkerPool(workers: workers)
        let hits = (0..<37).map { _ in Counter() }
        pool.forEachShard(37) { shard in hits[shard].value.add(1, ordering: .relaxed) }
        #expect(hits.map { $0.value.load(ordering: .relaxed) } == [Int](repeating: 1, count: 37))
    }

    /// Values whose float sum depends on the order of addition.
    static let awkward: [Float] = (0..<10_000).map { i in
        let x = Float(i % 97) * 1e-3 + (i % 13 == 0 ? 1e4 : 0)
        return i % 2 == 0 ? x : -x * 0.999
    }

    @Test func mapReduceGivesTheSameBitsForAnyWorkerCount() throws {
        let plan = ShardPlan(count: Self.awkward.count, shardCount: 13)
        func total(_ workers: Int) throws -> Float {
            try WorkerPool(workers: workers).mapReduce(plan, map: { _, range in
                Self.awkward[range].reduce(0, +)
            }, combine: +)!
        }
        let one = try total(1)
        for w in [2, 3, 8] { #expect(try total(w).bitPattern == one.bitPattern) }
        // The reference: shard sums combined along the pairwise tree, computed serially here.
        var partial = plan.ranges.map { Self.awkward[$0].reduce(Float(0), +) }
        PairwiseTree.visitPairs(count: partial.count) { into, from in partial[into] += partial[from] }
        #expect(one.bitPattern == partial[0].bitPattern)
        // A different shard plan really sums in another order (so the check above can fail).
        let other = try WorkerPool(workers: 1).mapReduce(ShardPlan(count: Self.awkward.count, shardCount: 7),
                                                         map: { _, r in Self.awkward[r].reduce(0, +) }, combine: +)!
        #expect(other.bitPattern != one.bitPattern)
    }

    @Test func mapReduceOfNoShardsIsNil() throws {
        let r = try WorkerPool(workers: 2).mapReduce(ShardPlan(count: 0, shardCount: 4), map: { _, _ in 1 }, combine: +)
        #expect(r == nil)
    }
}

@Suite struct ShardBuffersTests {
    @Test func reduceSumsAlongTheTreeForAnyWorkerCount() throws {
        let shards = 11, length = 9000
        func filled() -> ShardBuffers {
            let b = ShardBuffers(shardCount: shards, length: length)
            for s in 0..<shards {
                let buf = b.buffer(s)
                for i in 0..<length { buf[i] = WorkerPoolTests.awkward[(s * 131 + i) % WorkerPoolTests.awkward.count] }
            }
            return b
        }
        // Serial reference along the same tree.
        let ref = filled()
        var rows = (0..<shards).map { Array(ref.buffer($0)) }
        PairwiseTree.visitPairs(count: shards) { into, from in
            for i in 0..<length { rows[into][i] += rows[from][i] }
        }
        for workers in [1, 2, 3, 8] {
            let b = filled()
            let sum = b.reduce(shards: shards, pool: try WorkerPool(workers: workers))
            #expect(sum.map(\.bitPattern) == rows[0].map(\.bitPattern))
        }
    }

    @Test func finishSeesEveryElementOnceWithItsTotal() throws {
        let shards = 8, length = 7850
        for workers in [1, 2, 3] {
            let b = ShardBuffers(shardCount: shards, length: length)
            for s in 0..<shards {
                let buf = b.buffer(s)
                for i in 0..<length { buf[i] = Float(s + 1) * Float(i % 97) }
            }
            let seen = Mutex([Int](repeating: 0, count: length))
            let wrong = Mutex(0)
            b.reduce(shards: shards, pool: try WorkerPool(workers: workers)) { range, total in
                // 1 + 2 + ... + 8 = 36 copies of i % 97, exact in float32.
                let bad = range.filter { total[$0] != 36 * Float($0 % 97) }.count
                wrong.withLock { $0 += bad }
                seen.withLock { for i in range { $0[i] += 1 } }
            }
            #expect(wrong.withLock { $0 } == 0)
            #expect(seen.withLock { $0 } == [Int](repeating: 1, count: length))
        }
    }

    @Test func zeroClearsOneShard() {
        let b = ShardBuffers(shardCount: 2, length: 5)
        b.buffer(0)[3] = 7
        b.buffer(1)[3] = 9
        b.zero(0)
        #expect(Array(b.buffer(0)) == [0, 0, 0, 0, 0])
        #expect(b.buffer(1)[3] == 9)
    }
}

@Suite struct WorkerTeamTests {
    @Test(arguments: WorkerPool.Dispatch.allCases)
    func bothDispatchesGiveTheSameBits(dispatch: WorkerPool.Dispatch) throws {
        let plan = ShardPlan(count: WorkerPoolTests.awkward.count, shardCount: 13)
        let one = try WorkerPool(workers: 1).mapReduce(plan, map: { _, r in WorkerPoolTests.awkward[r].reduce(0, +) }, combine: +)!
        for w in [2, 3, 8] {
            let pool = try WorkerPool(workers: w, dispatch: dispatch)
            for _ in 0..<50 {  // many calls in a row on one team: no call may see another's shards
                let total = pool.mapReduce(plan, map: { _, r in WorkerPoolTests.awkward[r].reduce(0, +) }, combine: +)!
                #expect(total.bitPattern == one.bitPattern)
            }
        }
    }

    @Test func aShardThatCallsThePoolRunsItsInnerShardsInline() throws {
        let pool = try WorkerPool(workers: 3)
        let hits = (0..<(6 * 5)).map { _ in Counter() }
        pool.forEachShard(6) { outer in
            pool.forEachShard(5) { inner in hits[outer * 5 + inner].value.add(1, ordering: .relaxed) }
        }
        #expect(hits.allSatisfy { $0.value.load(ordering: .relaxed) == 1 })
    }

    @Test func cheapCallsRunOnTheCallingThread() throws {
        let pool = try WorkerPool(workers: 4)
        let caller = Thread.current
        let elsewhere = Counter()
        pool.forEachShard(16, cost: WorkerPool.inlineCost - 1) { _ in
            if Thread.current != caller { elsewhere.value.add(1, ordering: .relaxed) }
        }
        #expect(elsewhere.value.load(ordering: .relaxed) == 0)
    }

    @Test func poolsComeAndGo() throws {
        // Creating and dropping pools must stop their helpers (the test would hang otherwise).
        for round in 0..<20 {
            let pool = try WorkerPool(workers: 2 + round % 3)
            let c = Counter()
            pool.forEachShard(8) { _ in c.value.add(1, ordering: .relaxed) }
            #expect(c.value.load(ordering: .relaxed) == 8)
        }
    }

    @Test func helpersThatSleepWakeUpForTheNextCall() throws {
        let pool = try WorkerPool(workers: 2)
        let c = Counter()
        pool.forEachShard(4) { _ in c.value.add(1, ordering: .relaxed) }
        Thread.sleep(forTimeInterval: 0.05)  // long enough for the helper to stop spinning
        pool.forEachShard(4) { _ in c.value.add(1, ordering: .relaxed) }
        #expect(c.value.load(ordering: .relaxed) == 8)
    }
}
