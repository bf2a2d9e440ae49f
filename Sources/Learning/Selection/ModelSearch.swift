import DataParallel
import Synchronization

/// A cross-validated search over candidate configs: every (candidate, fold) pair is a job
/// that trains the candidate on the other folds (``SearchData/fold(_:of:config:)``) and scores
/// it on the fold's rows. The jobs run at once on a ``JobScheduler``, which splits the
/// worker budget between them and within each (``workerSplit(workers:available:jobs:)``).
///
/// A job's score depends only on its candidate and fold, never on the worker count, the
/// slot that ran it or the order the jobs finished in, so a search gives the same bits for
/// any `workers` as running the jobs one by one on one worker.
public struct ModelSearch<Rows: TrainingRows>: Sendable {
    public var candidates: [Candidate]
    public var data: SearchData<Rows>
    public var folds: Folds

    /// - Precondition: at least one candidate.
    public init(candidates: [Candidate], data: SearchData<Rows>, folds: Folds) {
        precondition(!candidates.isEmpty, "ModelSearch: no candidates")
        self.candidates = candidates
        self.data = data
        self.folds = folds
    }

    /// Checks, before anything trains, what only the data can tell of each candidate: a
    /// model type its class count allows, and class weights of its classes.
    /// - Throws: a config error naming `file` (the grid file) and the key.
    public func checkCandidates(file: String) throws(LearningError) {
        let k = data.train.classes.count
        for c in candidates {
            do {
                _ = try Prepared<Rows>.modelKind(c.config.modelType, classCount: k, configFile: file)
                try c.config.training.classWeight?.check(classes: data.train.classes, configFile: file)
            } catch {
                guard case .config(let f, let key, let message) = error, !c.settings.isEmpty else { throw error }
                throw .config(file: f, key: key, message: message + " (candidate \(c.index): \(c.label))")
            }
        }
    }

    /// Candidates times folds.
    public var jobCount: Int { candidates.count * folds.count }

    /// Job j is candidate j / k on fold j mod k, for k folds.
    public func job(_ j: Int) -> (candidate: Int, fold: Int) { (j / folds.count, j % folds.count) }

    /// How `workers` workers are shared by `jobs` jobs: jobs first, each job no more workers
    /// than the shards of its largest step (more would wait), and no more jobs at once than
    /// fit in `available` bytes with the data (see ``WorkerSplit`` and ``SearchMemory``).
    /// - Throws: when the data and one job do not fit in memory.
    public func workerSplit(workers: Int, available: Double = MemoryBudget.physicalMemory, jobs: Int? = nil)
        throws(LearningError) -> WorkerSplit
    {
        let foldRows = data.train.count - data.train.count / folds.count
        let widest = candidates.map { Batches.plan(batchRows: min($0.config.training.batchSize, foldRows)).shardCount }.max()!
        let most = try SearchMemory.maxConcurrentJobs(candidates, data: data, available: available)
        return WorkerSplit(budget: max(1, workers), jobs: jobs ?? jobCount, widest: widest, maxConcurrent: most)
    }

    /// Runs one job on `pool`.
    /// - Returns: its score (with the failure's message when training failed), or nil when
    ///   `shouldStop` interrupted it.
    /// - Throws: a config or data error (the candidate cannot train on this data).
    public func run(job j: Int, pool: WorkerPool, shouldStop: @escaping () -> Bool = { false })
        throws(LearningError) -> FoldScore?
    {
        let (c, f) = job(j)
        let config = candidates[c].config
        do {
            let result = try fit(config, data: data.fold(f, of: folds, config: config), pool: pool,
                                 control: TrainingControl(shouldStop: shouldStop))
            return result.stopReason == .interrupted ? nil : FoldScore(candidate: c, fold: f, result)
        } catch {
            if error.isInputError { throw error }
            return FoldScore(candidate: c, fold: f, accuracy: nil, logLoss: nil, seconds: 0, epochs: 0, stopReason: nil,
                             failure: error.description)
        }
    }

    /// Runs every job not in `done`, up to the split's number at once.
    /// - Parameters:
    ///   - workers: the worker budget, >= 1 (see ``workerSplit(workers:available:jobs:)``).
    ///   - done: scores of jobs already run (read back from a search log); they are kept.
    ///   - shouldStop: asked before each job and after every step; true ends the search with
    ///     the jobs finished so far (the running ones are dropped).
    ///   - onScore: called with each new score as its job finishes, one call at a time.
    /// - Returns: every score, `done` and new; incomplete when the search was stopped.
    /// - Throws: the first config or data error of a job (no job starts after it), or a
    ///   memory shortfall.
    public func run(workers: Int, done: [FoldScore] = [], available: Double = MemoryBudget.physicalMemory,
                    shouldStop: @escaping @Sendable () -> Bool = { false },
                    onScore: @Sendable (FoldScore) -> Void = { _ in }) throws(LearningError) -> SearchResult {
        var finished = Set<Int>()
        for s in done where s.candidate < candidates.count && s.fold < folds.count {
            finished.insert(s.candidate * folds.count + s.fold)
        }
        let todo = (0..<jobCount).filter { !finished.contains($0) }
        var scores = done
        if !todo.isEmpty {
            let split = try workerSplit(workers: workers, available: available, jobs: todo.count)
            let scheduler: JobScheduler
            do { scheduler = try JobScheduler(split) } catch {
                throw .config(file: candidates[0].config.file, key: "workers", message: error.description)
            }
            let state = Mutex<(scores: [FoldScore], error: LearningError?)>(([], nil))
            let stop: @Sendable () -> Bool = { shouldStop() || state.withLock { $0.error != nil } }
            withoutActuallyEscaping(onScore) { onScore in
                let report = UncheckedBox(onScore)
                scheduler.run(todo.count) { i, pool in
                    if stop() { return }
                    do throws(LearningError) {
                        guard let score = try self.run(job: todo[i], pool: pool, shouldStop: stop) else { return }
                        state.withLock { s in
                            s.scores.append(score)
                            report.value(score)
                        }
                    } catch {
                        state.withLock { s in if s.error == nil { s.error = error } }
                    }
                }
            }
            let (new, error) = state.withLock { ($0.scores, $0.error) }
            if let error { throw error }
            scores += new
        }
        return SearchResult(candidates: candidates, folds: folds, foldScores: scores)
    }

    /// Trains `config` on the whole training split and scores it once on the test set.
    public func fitWhole(_ config: Config, pool: WorkerPool, control: TrainingControl = TrainingControl())
        throws(LearningError) -> (result: FitResult, data: Prepared<Rows>)
    {
        let prepared = data.whole(config: config)
        return (try fit(config, data: prepared, pool: pool, control: control), prepared)
    }
}

/// Carries a closure that is only ever called under a lock across a `@Sendable` boundary.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
