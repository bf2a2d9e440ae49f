import DataParallel
import Foundation
import Synchronization
import Testing

@Suite struct JobSchedulerTests {
    @Test("every job runs exactly once", arguments: [(1, 1), (4, 1), (3, 2), (6, 3)])
    func everyJobRunsOnce(budget: Int, widest: Int) throws {
        let scheduler = try JobScheduler(WorkerSplit(budget: budget, jobs: 23, widest: widest))
        let hits = (0..<23).map { _ in Counter() }
        scheduler.run(23) { job, _ in hits[job].value.add(1, ordering: .relaxed) }
        #expect(hits.map { $0.value.load(ordering: .relaxed) } == [Int](repeating: 1, count: 23))
        // The pools are reused: a second call runs every job again.
        scheduler.run(23) { job, _ in hits[job].value.add(1, ordering: .relaxed) }
        #expect(hits.map { $0.value.load(ordering: .relaxed) } == [Int](repeating: 2, count: 23))
    }

    @Test("no more jobs at once than the split's slots, and never two on one pool")
    func jobsAtOnceAndPools() throws {
        let split = WorkerSplit(budget: 3, jobs: 12)
        let scheduler = try JobScheduler(split)
        let running = Atomic<Int>(0), most = Atomic<Int>(0)
        let pools = Locked<[ObjectIdentifier: Int]>([:])
        let shared = Atomic<Bool>(false)
        scheduler.run(12) { _, pool in
            let id = ObjectIdentifier(pool)
            pools.withLock { p in
                if p[id, default: 0] > 0 { shared.store(true, ordering: .relaxed) }
                p[id, default: 0] += 1
            }
            let now = running.add(1, ordering: .relaxed).newValue
            _ = most.max(now, ordering: .relaxed)
            usleep(2000)
            running.subtract(1, ordering: .relaxed)
            pools.withLock { $0[id]! -= 1 }
        }
        let mostAtOnce = most.load(ordering: .relaxed), poolShared = shared.load(ordering: .relaxed)
        #expect(mostAtOnce <= split.concurrentJobs)
        #expect(!poolShared)
        #expect(pools.withLock { $0.count } <= split.concurrentJobs)
    }

    @Test("each slot's pool has the split's workers")
    func poolSizes() throws {
        let split = WorkerSplit(budget: 7, jobs: 3)
        let sizes = Locked<Set<Int>>([])
        try JobScheduler(split).run(3) { _, pool in sizes.withLock { _ = $0.insert(pool.workerCount) } }
        #expect(sizes.withLock { $0 }.isSubset(of: Set(split.slots)))
    }

    /// Jobs whose results come from mapReduce give the same bits whatever the budget.
    @Test("results do not depend on the budget", arguments: [1, 2, 3, 5])
    func sameResultsForAnyBudget(budget: Int) throws {
        let values = WorkerPoolTests.awkward
        func sums(_ budget: Int) throws -> [Float] {
            let results = Locked<[Float]>([Float](repeating: 0, count: 9))
            let scheduler = try JobScheduler(WorkerSplit(budget: budget, jobs: 9))
            scheduler.run(9) { job, pool in
                let plan = ShardPlan(count: values.count - job * 100, shardCount: 7)
                let s = pool.mapReduce(plan, map: { _, r in values[r].reduce(0, +) }, combine: +)!
                results.withLock { $0[job] = s }
            }
            return results.withLock { $0 }
        }
        #expect(try sums(budget).map(\.bitPattern) == (try sums(1)).map(\.bitPattern))
    }

    @Test("no jobs: returns at once")
    func noJobs() throws {
        try JobScheduler(WorkerSplit(budget: 2, jobs: 4)).run(0) { _, _ in Issue.record("ran a job") }
    }
}

/// A value behind an NSLock, a pthread mutex whose ordering ThreadSanitizer sees (it does not
/// see Synchronization's Mutex, a futex on Linux, and reports the accesses it guards as races).
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
