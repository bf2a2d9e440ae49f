/// How a budget of worker threads is shared by independent jobs: how many jobs run at once,
/// and how many workers each of those jobs gets.
///
/// Independent jobs need no synchronisation, while the workers inside one job meet at every
/// parallel call, so the budget goes to jobs first:
///
///     c = min(J, W, M)                      jobs at once (at least 1)
///     w_s = floor(W / c) + (s < W mod c ? 1 : 0), capped at `widest`   workers of slot s
///
/// for W workers, J jobs and at most M jobs at once (a memory limit). Many small jobs (J >= W)
/// run one worker each; a few large ones share the workers, up to as many as one job can use
/// (`widest`, e.g. its shards per step). Which slot runs a job never changes its result when
/// each job's result does not depend on its worker count.
public struct WorkerSplit: Equatable, Sendable, CustomStringConvertible {
    /// The workers of each slot; there are as many slots as jobs that run at once.
    public let slots: [Int]

    /// The number of jobs that run at once.
    public var concurrentJobs: Int { slots.count }
    /// The workers in use while every slot is busy (at most the budget).
    public var workersUsed: Int { slots.reduce(0, +) }

    /// - Parameters:
    ///   - budget: W, the workers in all (>= 1).
    ///   - jobs: J, the number of jobs (>= 0; none gives no slot).
    ///   - widest: the most workers one job can use (>= 1).
    ///   - maxConcurrent: M, the most jobs that may run at once (>= 1).
    public init(budget: Int, jobs: Int, widest: Int = .max, maxConcurrent: Int = .max) {
        precondition(budget >= 1, "WorkerSplit: the budget \(budget) is below 1")
        precondition(jobs >= 0 && widest >= 1 && maxConcurrent >= 1, "WorkerSplit: jobs \(jobs), widest \(widest), maxConcurrent \(maxConcurrent)")
        let c = min(jobs, budget, maxConcurrent)
        slots = (0..<c).map { s in min(widest, budget / c + (s < budget % c ? 1 : 0)) }
    }

    /// "4 jobs at once, 2 workers each", or "3 jobs at once with 2, 1 and 1 workers".
    public var description: String {
        let jobs = "\(concurrentJobs) job\(concurrentJobs == 1 ? "" : "s") at once"
        guard let first = slots.first else { return "no jobs" }
        if slots.allSatisfy({ $0 == first }) {
            return jobs + ", \(first) worker\(first == 1 ? "" : "s") each"
        }
        return jobs + " with " + slots.map(String.init).joined(separator: ", ") + " workers"
    }
}
