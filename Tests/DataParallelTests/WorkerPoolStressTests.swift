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

/// Calls on one pool from several threads, from inside shards, and pools that come and go.
@Suite struct WorkerPoolStressTests {
    static let pools: [(workers: Int, dispatch: WorkerPool.Dispatch)] =
        [1, 2, 3, 8].flatMap { w in WorkerPool.Dispatch.allCases.map { (w, $0) } }

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
