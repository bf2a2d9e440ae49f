import DataParallel

/// Cross-validates one config on rows held in memory: k stratified folds of the training
/// split seeded by `config.training.seed` (the test split, if any, is left out), the jobs
/// run at once on `workers` workers. Nothing is read or written.
/// - Parameters:
///   - workers: 0 for one per active core.
/// - Returns: the config's figures over the folds.
/// - Throws: a config or data error; a fold that fails to train is in the score's `failure`.
public func crossValidate<Rows: TrainingRows>(_ config: Config, data: LoadedData<Rows>, folds k: Int = 5, workers: Int = 0)
    throws(LearningError) -> CandidateScore
{
    let result = try search([Candidate(index: 0, settings: [], config: config)], base: config, data: data, folds: k,
                            workers: workers)
    return result.scores[0]!
}

/// Searches candidate configs by k-fold cross-validation on rows held in memory, and ranks
/// them by mean validation log loss (see ``ModelSearch``). The folds are cut from the
/// training split of `base` (its `data.test_fraction` and `training.seed`); the test set is
/// never used for choosing. Nothing is read or written.
/// - Parameters:
///   - candidates: from ``SearchSpace/candidates(base:)``, or built in code.
///   - workers: the worker budget; 0 for one per active core.
/// - Throws: a config or data error (too few rows for the folds, say).
public func search<Rows: TrainingRows>(_ candidates: [Candidate], base: Config, data: LoadedData<Rows>, folds k: Int = 5,
                                       workers: Int = 0) throws(LearningError) -> SearchResult {
    let prepared = try SearchData(data, base: base)
    let folds = try Folds.checked(labels: prepared.train.labels, classCount: prepared.train.classes.count, count: k,
                                  seed: base.training.seed, source: prepared.source)
    return try ModelSearch(candidates: candidates, data: prepared, folds: folds)
        .run(workers: workers == 0 ? WorkerPool.activeCores : workers)
}

extension Folds {
    /// The folds, or an error naming the data when there are too few rows for `k`.
    public static func checked(labels: [Int32], classCount: Int, count k: Int, seed: UInt64, source: String)
        throws(LearningError) -> Folds
    {
        guard k >= minCount, k <= labels.count else {
            throw .data(file: source, line: nil,
                        message: "\(k) folds of a training split of \(labels.count) rows; use 2 to \(labels.count) folds")
        }
        return Folds(labels: labels, classCount: classCount, count: k, seed: seed)
    }
}
