import Dispatch
import Foundation
import Synchronization

/// Runs independent jobs on a budget of worker threads, several at once, each with a worker
/// pool of its own (see ``WorkerSplit`` for how the budget is shared).
///
/// Slot s is a thread (the calling thread is slot 0) with a pool of `split.slots[s]` workers,
/// made once and reused for every job that slot runs and for every ``run(_:_:)`` call. A free
/// slot takes the next job index from a shared counter, so jobs start in index order. Which
/// slot, and so how many workers, a job gets is up to timing: results are reproducible when a
/// job's result does not depend on its pool's worker count (as every ``WorkerPool`` result
/// built from ``ShardPlan`` and ``PairwiseTree`` does not).
public final class JobScheduler: Sendable {
    public let split: WorkerSplit
    private let pools: [WorkerPool]

    /// Makes the slots' pools.
    public init(_ split: WorkerSplit) throws(WorkerPoolError) {
        self.split = split
        var pools: [WorkerPool] = []
        for workers in split.slots { pools.append(try WorkerPool(workers: workers)) }
        self.pools = pools
    }

    /// Calls `body(job, pool)` once for every job in `0..<count`, up to
    /// ``WorkerSplit/concurrentJobs`` at once, and returns when all have returned. `pool` is
    /// the pool of the slot that runs the job; jobs that run at once never share one.
    ///
    /// A job that should not run (the caller was asked to stop, say) returns at once; nothing
    /// here cancels a job.
    public func run(_ count: Int, _ body: @Sendable (_ job: Int, _ pool: WorkerPool) -> Void) {
        precondition(count >= 0, "JobScheduler.run: the job count \(count) is negative")
        if count == 0 { return }
        precondition(!pools.isEmpty, "JobScheduler.run: a split made for no jobs has no slots")
        let next = Atomic<Int>(0)
        let pools = self.pools
        // The slots' threads get pointers to the counter and to the body, never a reference
        // to the body itself: a thread may still hold its closure for a moment after it has
        // signalled that it is done.
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: next) { counter in
                withUnsafePointer(to: body) { work in
                    let shared = UncheckedSendable((counter: counter, body: work))
                    let slot: @Sendable (Int) -> Void = { s in
                        let pool = pools[s]
                        while true {
                            let job = shared.value.counter.pointee.add(1, ordering: .relaxed).oldValue
                            if job >= count { return }
                            shared.value.body.pointee(job, pool)
                        }
                    }
                    let others = min(pools.count, count) - 1
                    let done = DispatchSemaphore(value: 0)
                    for s in 0..<others {
                        let thread = Thread {
                            slot(s + 1)
                            done.signal()
                        }
                        thread.stackSize = Self.stackBytes
                        thread.start()
                    }
                    slot(0)
                    for _ in 0..<others { done.wait() }
                }
            }
        }
    }

    /// The stack of a slot's thread: as large as a main thread's, since a job may be any code.
    static let stackBytes = 8 << 20
}
