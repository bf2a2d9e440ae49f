import Dispatch
import Foundation
import Synchronization

/// Why a worker pool could not be made.
public enum WorkerPoolError: Error, Equatable, CustomStringConvertible {
    case negativeWorkerCount(Int)
    case tooManyWorkers(Int, limit: Int)

    public var description: String {
        switch self {
        case .negativeWorkerCount(let n):
            return "worker count \(n) is negative; use 0 for all cores or a positive count"
        case .tooManyWorkers(let n, let limit):
            return "worker count \(n) is larger than the limit of \(limit)"
        }
    }
}

/// Runs shards of work on several threads.
///
/// Callers hand it shard indices; which thread runs a shard is not theirs to know. Results
/// that must be reproducible are written per shard and combined in shard order
/// (see ``PairwiseTree`` and ``mapReduce(_:map:combine:)``), so they do not depend on
/// `workerCount`.
///
/// A pool of N workers is the calling thread plus N - 1 long-lived helpers, which are the
/// iterations of one `DispatchQueue.concurrentPerform` (see `WorkerTeam`): a parallel call
/// costs well under a microsecond once the helpers are awake. Shards run inline when there is
/// one shard, one worker, or when a shard itself calls the pool.
public final class WorkerPool: Sendable {
    /// How shards reach the threads.
    public enum Dispatch: String, Sendable, CaseIterable {
        /// Long-lived helpers that spin between calls, then sleep (the default).
        case team
        /// One `DispatchQueue.concurrentPerform` per call, which wakes threads every time
        /// (kept to measure against).
        case perCall = "per-call"
    }

    /// The most workers a pool accepts.
    public static let maxWorkers = 1024

    /// Calls whose `cost` (in floating-point operations, or any comparable count of simple
    /// operations) is below this run inline on the calling thread: handing shards to other
    /// threads costs about a microsecond, as much as this much work.
    public static let inlineCost = 100_000

    /// The number of threads that run shards, >= 1.
    public let workerCount: Int
    public let dispatch: Dispatch
    private let team: WorkerTeam?

    /// The number of cores this process may use.
    public static var activeCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// - Parameters:
    ///   - workers: 0 for one worker per active core, otherwise 1...``maxWorkers``.
    ///   - dispatch: how shards reach the threads.
    public init(workers: Int = 0, dispatch: Dispatch = .team) throws(WorkerPoolError) {
        if workers < 0 { throw .negativeWorkerCount(workers) }
        if workers > Self.maxWorkers { throw .tooManyWorkers(workers, limit: Self.maxWorkers) }
        workerCount = workers == 0 ? Self.activeCores : workers
        self.dispatch = dispatch
        team = workerCount > 1 && dispatch == .team ? WorkerTeam(helpers: workerCount - 1) : nil
    }

    deinit { team?.stop() }

    /// Calls `body(shard)` once for every shard in `0..<shardCount`, on up to `workerCount`
    /// threads at once, and returns when all have finished.
    /// - Parameter cost: an estimate of the whole call's work; below ``inlineCost`` the shards
    ///   run on the calling thread.
    public func forEachShard(_ shardCount: Int, cost: Int = .max, _ body: (_ shard: Int) -> Void) {
        precondition(shardCount >= 0, "forEachShard: the shard count \(shardCount) is negative")
        if shardCount <= 1 || workerCount == 1 || cost < Self.inlineCost {
            for shard in 0..<shardCount { body(shard) }
        } else if let team, shardCount <= WorkerTeam.maxShards {
            if !team.run(shardCount, body) {
                for shard in 0..<shardCount { body(shard) }
            }
        } else {
            // Per call, or more shards than the team's job word can count.
            Self.concurrentPerform(shardCount, threads: min(workerCount, shardCount), body)
        }
    }

    /// One `concurrentPerform` whose iterations take shards from a shared counter.
    private static func concurrentPerform(_ shardCount: Int, threads: Int, _ body: (Int) -> Void) {
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            withUnsafePointer(to: next) { counter in
                let shared = UncheckedSendable(counter)
                DispatchQueue.concurrentPerform(iterations: threads) { _ in
                    while true {
                        let shard = shared.value.pointee.add(1, ordering: .relaxed).oldValue
                        if shard >= shardCount { break }
                        work.value(shard)
                    }
                }
            }
        }
    }

    /// Calls `body(shard, range)` for every shard of `plan`, in parallel.
    public func parallelFor(_ plan: ShardPlan, cost: Int = .max, _ body: (_ shard: Int, _ range: Range<Int>) -> Void) {
        forEachShard(plan.shardCount, cost: cost) { shard in body(shard, plan.range(of: shard)) }
    }

    /// Maps every shard of `plan` to a value in parallel, then combines the values along the
    /// fixed ``PairwiseTree`` over shard indices. The result is the same for any worker count
    /// even when `combine` is not associative (floating-point sums).
    /// - Returns: the combined value, or nil when the plan has no shards.
    public func mapReduce<T>(
        _ plan: ShardPlan,
        cost: Int = .max,
        map: (_ shard: Int, _ range: Range<Int>) -> T,
        combine: (T, T) -> T
    ) -> T? {
        let count = plan.shardCount
        if count == 0 { return nil }
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            slots.deinitialize()
            slots.deallocate()
        }
        forEachShard(count, cost: cost) { shard in slots[shard] = map(shard, plan.range(of: shard)) }
        PairwiseTree.visitPairs(count: count) { into, from in
            slots[into] = combine(slots[into]!, slots[from]!)
        }
        return slots[0]
    }
}


/// Carries a value whose thread safety the pool's callers guarantee (each shard touches its
/// own data) across the `@Sendable` boundary of `concurrentPerform`.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
