import DataParallel
import Foundation
import Synchronization
import Testing

/// The number of threads of this process now.
func threadCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
}

/// Runs `body` on a new thread and returns whether it finished within `seconds`, so that a
/// deadlock fails the test instead of hanging the run (the stuck thread is left behind).
func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    Thread { body(); done.signal() }.start()
    return done.wait(timeout: .now() + seconds) == .success
}

/// A buffer that shards write at disjoint indices, carried into `@Sendable` closures.
struct UncheckedCells: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Int>
    init(_ buffer: UnsafeMutableBufferPointer<Int>) { self.buffer = buffer }
}

/// A value whose text shows the order in which `combine` was applied.
private func tree(_ a: String, _ b: String) -> String { "(\(a) \(b))" }

/// The pairwise tree over `0..<count`, with `tree` as the combine, computed serially.
private func treeReference(_ count: Int) -> String {
    var slots = (0..<count).map(String.init)
    PairwiseTree.visitPairs(count: count) { into, from in slots[into] = tree(slots[into], slots[from]) }
    return slots[0]
}

/// Calls on one pool from several threads, from inside shards, and pools that come and go.
@Suite struct WorkerPoolStressTests {
    static let pools: [(workers: Int, dispatch: WorkerPool.Dispatch)] =
        [1, 2, 3, 8].flatMap { w in WorkerPool.Dispatch.allCases.map { (w, $0) } }

    @Test(arguments: pools)
    func aNonAssociativeCombineFollowsTheTree(workers: Int, dispatch: WorkerPool.Dispatch) throws {
        let pool = try WorkerPool(workers: workers, dispatch: dispatch)
        for count in 1...40 {
            let plan = ShardPlan(count: count, shardCount: count)
            let text = pool.mapReduce(plan, map: { shard, _ in String(shard) }, combine: tree)
            #expect(text == treeReference(count), "\(count) shards")
        }
    }

    @Test(arguments: pools)
    func nestedCallsFinishWithTheSameBits(workers: Int, dispatch: WorkerPool.Dispatch) throws {
        let pool = try WorkerPool(workers: workers, dispatch: dispatch)
        let values = WorkerPoolTests.awkward
        let outer = ShardPlan(count: values.count, shardCount: 9)
        // Each outer shard sums its range with an inner mapReduce on the same pool.
        @Sendable func nestedSum(_ pool: WorkerPool) -> Float? {
            pool.mapReduce(outer, map: { _, range in
                pool.mapReduce(ShardPlan(count: range.count, shardCount: 5), map: { _, r in
                    values[range][(range.lowerBound + r.lowerBound)..<(range.lowerBound + r.upperBound)].reduce(0, +)
                }, combine: +)!
            }, combine: +)
        }
        let reference = nestedSum(try WorkerPool(workers: 1))!
        let result = Mutex<[Float?]>([])
        // Each index belongs to one inner shard, so plain writes do not race unless one runs twice.
        let written = UnsafeMutableBufferPointer<Int>.allocate(capacity: 6 * 100)
        written.initialize(repeating: 0)
        defer { written.deallocate() }
        let cells = UncheckedCells(written)
        let ok = finishes(within: 8) {
            for _ in 0..<20 { let r = nestedSum(pool); result.withLock { $0.append(r) } }
            // parallelFor inside forEachShard: every inner index written once.
            pool.forEachShard(6) { outerShard in
                pool.parallelFor(ShardPlan(count: 100, shardCount: 7)) { _, range in
                    for i in range { cells.buffer[outerShard * 100 + i] += 1 }
                }
            }
        }
        #expect(ok, "nested calls did not finish within 8 s")
        guard ok else { return }
        #expect(result.withLock { $0 }.map { $0?.bitPattern } == [UInt32?](repeating: reference.bitPattern, count: 20))
        #expect(Array(written) == [Int](repeating: 1, count: 600))
    }

    @Test(arguments: pools)
    func callsFromSeveralThreadsAtOnceAllGetTheirResults(workers: Int, dispatch: WorkerPool.Dispatch) throws {
        let pool = try WorkerPool(workers: workers, dispatch: dispatch)
        let values = WorkerPoolTests.awkward
        let plan = ShardPlan(count: values.count, shardCount: 13)
        let reference = try WorkerPool(workers: 1).mapReduce(plan, map: { _, r in values[r].reduce(0, +) }, combine: +)!
        let wrong = Atomic<Int>(0), calls = Atomic<Int>(0)
        let ok = finishes(within: 8) {
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                for call in 0..<150 {
                    let n = 1000 + 37 * thread + call
                    let sum = pool.mapReduce(ShardPlan(count: n, shardCount: 7), map: { _, r in r.reduce(0, +) }, combine: +)
                    let float = pool.mapReduce(plan, map: { _, r in values[r].reduce(0, +) }, combine: +)
                    if sum != n * (n - 1) / 2 || float?.bitPattern != reference.bitPattern { wrong.add(1, ordering: .relaxed) }
                    calls.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(ok, "concurrent calls did not finish within 8 s")
        #expect(calls.load(ordering: .relaxed) == 4 * 150)
        #expect(wrong.load(ordering: .relaxed) == 0)
    }

    @Test func shardsOfVeryDifferentCostAllRunOnce() throws {
        for dispatch in WorkerPool.Dispatch.allCases {
            let pool = try WorkerPool(workers: 3, dispatch: dispatch)
            for round in 0..<4 {
                let hits = (0..<16).map { _ in Counter() }
                pool.forEachShard(16) { shard in
                    if shard == round * 5 { usleep(20_000) }  // one slow shard, a different one each round
                    hits[shard].value.add(1, ordering: .relaxed)
                }
                #expect(hits.map { $0.value.load(ordering: .relaxed) } == [Int](repeating: 1, count: 16))
            }
        }
    }

    @Test func moreShardsThanTheTeamCanPublishStillRunOnceEach() throws {
        // Above the team's 20-bit shard index the pool runs the shards itself.
        let pool = try WorkerPool(workers: 2)
        let n = (1 << 20) + 3
        let hits = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0)
        pool.forEachShard(n) { hits[$0] += 1 }
        #expect(!hits.contains { $0 != 1 })
    }

    @Test func noShardsRunNothing() throws {
        for (workers, dispatch) in Self.pools {
            let pool = try WorkerPool(workers: workers, dispatch: dispatch)
            let c = Counter()
            pool.forEachShard(0) { _ in c.value.add(1, ordering: .relaxed) }
            pool.parallelFor(ShardPlan(count: 0, shardCount: 3)) { _, _ in c.value.add(1, ordering: .relaxed) }
            #expect(c.value.load(ordering: .relaxed) == 0)
        }
    }

    @Test func workerCountBounds() throws {
        #expect(throws: WorkerPoolError.negativeWorkerCount(Int.min)) { try WorkerPool(workers: Int.min) }
        #expect(throws: WorkerPoolError.tooManyWorkers(WorkerPool.maxWorkers + 1, limit: WorkerPool.maxWorkers)) {
            try WorkerPool(workers: WorkerPool.maxWorkers + 1)
        }
        #expect(throws: WorkerPoolError.tooManyWorkers(Int.max, limit: WorkerPool.maxWorkers)) { try WorkerPool(workers: Int.max) }
        // The largest pool works, and goes.
        let ok = finishes(within: 8) {
            let pool = try! WorkerPool(workers: WorkerPool.maxWorkers)
            precondition(pool.workerCount == WorkerPool.maxWorkers)
            let sum = pool.mapReduce(ShardPlan(count: 5000, shardCount: 64), map: { _, r in r.reduce(0, +) }, combine: +)
            precondition(sum == 5000 * 4999 / 2)
        }
        #expect(ok, "a pool of maxWorkers did not finish and stop within 8 s")
    }

    @Test func manyPoolsComeAndGoWithoutLeakingThreads() throws {
        let before = threadCount()
        let ok = finishes(within: 8) {
            for round in 0..<200 {
                let pool = try! WorkerPool(workers: 3)
                let sum = pool.mapReduce(ShardPlan(count: 100 + round, shardCount: 8), map: { _, r in r.count }, combine: +)
                precondition(sum == 100 + round)
            }
        }
        #expect(ok, "200 pools did not come and go within 8 s")
        // Dispatch keeps some idle threads, and other tests run meanwhile: allow a margin, but
        // not a thread or two for each of the 200 pools.
        #expect(threadCount() < before + 40, "threads: \(before) before, \(threadCount()) after")
    }

    /// Dispatch starts a pool's helpers only when it has threads for them. Dropping a pool must
    /// not wait for helpers that never started: here every thread of the global queue spins,
    /// and a pool that is made, used (by the caller alone) and dropped must still return.
    @Test func droppingAPoolDoesNotWaitForHelpersThatNeverStarted() throws {
        let release = Atomic<Bool>(false), started = Atomic<Int>(0)
        // Spinning (not sleeping) threads keep Dispatch from adding threads.
        for _ in 0..<(4 * WorkerPool.activeCores + 4) {
            DispatchQueue.global().async {
                started.add(1, ordering: .relaxed)
                let deadline = DispatchTime.now().uptimeNanoseconds + 3_000_000_000
                while !release.load(ordering: .relaxed) && DispatchTime.now().uptimeNanoseconds < deadline {}
            }
        }
        defer { release.store(true, ordering: .relaxed) }
        let deadline = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
        while started.load(ordering: .relaxed) == 0 && DispatchTime.now().uptimeNanoseconds < deadline { usleep(100) }
        let ok = finishes(within: 1.5) {
            let pool = try! WorkerPool(workers: 3)
            let sum = pool.mapReduce(ShardPlan(count: 100, shardCount: 8), map: { _, r in r.count }, combine: +)
            precondition(sum == 100)
        }
        #expect(ok, "dropping the pool waited for helpers that Dispatch had not started")
    }
}
