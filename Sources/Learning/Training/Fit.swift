import DataParallel

/// A trained model with its run and its final figures: what ``fit(_:data:pool:from:resume:control:combiner:onEpoch:)``
/// returns. Nothing of it is written anywhere.
public struct FitResult: Sendable {
    public var model: Model
    /// One report per epoch trained.
    public var epochs: [EpochReport]
    public var stopReason: StopReason
    /// SGD steps taken.
    public var steps: Int
    /// Wall seconds of training (scoring the final model not included).
    public var seconds: Double
    /// The state at the end: where an interrupted run resumes (a checkpoint's state).
    public var state: TrainingState
    /// The final model on the training split; with sample or class weights its log loss is
    /// the weighted objective's data term, (1/n) sum_i w_i L_i. Nil for an interrupted run.
    public var train: Evaluation?
    /// The final model on the test set (unweighted), when there is one.
    public var test: Evaluation?
    /// train.logLoss + alpha R(W), scikit-learn's objective. Nil for an interrupted run.
    public var objective: Double?
    /// With an l1 or elasticnet penalty: the fraction of the weights that are exactly 0.
    public var zeroFraction: Double?

    /// The run's final figures: `score` scores the training rows, `evaluate` any rows.
    init<Rows: TrainingRows>(_ run: TrainingRun<Model>, options: TrainingOptions, data: Prepared<Rows>,
                             score: (Model) -> Scores, evaluate: (Model, Rows) -> Evaluation) {
        model = run.model
        epochs = run.epochs
        stopReason = run.stopReason
        steps = run.steps
        seconds = run.seconds
        state = run.state
        guard run.stopReason != .interrupted else { return }
        let trainScores = score(run.model)
        var final = Evaluation(scores: trainScores, data: data.train)
        // With weights, the training loss is the weighted objective's data term (test figures stay unweighted).
        if let w = options.rowWeights(for: data.train, heldOut: data.validation) {
            final.logLoss = Evaluation.weightedMeanLoss(trainScores.losses, weights: w)
        }
        train = final
        test = data.test.flatMap { $0.count > 0 ? evaluate(run.model, $0) : nil }
        let penalty = options.penalty.value(run.model.penalizedWeights, l1Ratio: options.l1Ratio)
        objective = final.logLoss + options.alpha * penalty
        zeroFraction = Regularization(options).hasL1 ? run.model.zeroWeightFraction : nil
    }
}

/// Trains the model `config` asks for on prepared rows, in memory: no file is read or
/// written, and the work runs on `pool`. Dense rows (``PreparedData``) train any model type;
/// sparse rows (``PreparedSparseData``) train linear models on the sparse path. The command
/// line's `train` is load, then this, then writing the run's files.
/// - Parameters:
///   - start: the model to continue from (a warm start; it must be of the config's model type
///     and shape); nil starts from zero weights, or a network's seeded random ones.
///   - resume: a checkpoint's state of the same config, data and start.
///   - control: checkpoints, interruption and progress.
///   - combiner: where each step's shard gradients are summed (this process alone by default).
///   - onEpoch: called after every epoch.
/// - Throws: a config error (naming the key) for model or training options out of range or
///   in conflict (``Config/validateTraining()``), or that cannot train on this data;
///   ``LearningError/training(message:)`` when training diverges.
public func fit<Rows: TrainingRows>(
    _ config: Config, data: Prepared<Rows>, pool: WorkerPool, from start: Model? = nil, resume: TrainingState? = nil,
    control: TrainingControl = TrainingControl(), combiner: any StepCombiner = LocalCombiner(),
    onEpoch: (EpochReport) -> Void = { _ in }
) throws(LearningError) -> FitResult {
    try config.validateTraining()
    let options = config.training
    if let data = data as? PreparedSparseData {
        if combiner.processCount > 1 {
            throw .config(file: config.file, key: "data.train",
                          message: "sparse (LIBSVM) rows train in one process; run without mpirun, or use dense data (CSV, .npy)")
        }
        let run = try SparseTrainer(options: options, pool: pool, combiner: combiner)
            .train(try TrainingJob.startingModel(config, data: data, from: start), on: data.train, test: data.test,
                   validation: data.validation, resume: resume, control: control, onEpoch: onEpoch)
        return FitResult(run.map(Model.linear), options: options, data: data,
                         score: { $0.linear!.score(data.train, pool: pool) },
                         evaluate: { Evaluation(model: $0.linear!, data: $1, pool: pool) })
    }
    guard let data = data as? PreparedData else {
        preconditionFailure("fit trains Dataset and SparseDataset rows; \(Rows.self) has no trainer")
    }
    let run: TrainingRun<Model>
    do {
        run = try Trainer(options: options, pool: pool, combiner: combiner)
            .train(try TrainingJob.startingModel(config, data: data, from: start), on: data.train, test: data.test,
                   validation: data.validation, resume: resume, control: control, onEpoch: onEpoch)
    } catch {
        // Unscaled features are the data's usual cause of a diverged run.
        if case .training(let message) = error, data.scaler == nil, !config.data.standardize {
            throw .training(message: message + ", or set data.standardize = true")
        }
        throw error
    }
    return FitResult(run, options: options, data: data, score: { $0.score(data.train, pool: pool) },
                     evaluate: { Evaluation(model: $0, data: $1, pool: pool) })
}
