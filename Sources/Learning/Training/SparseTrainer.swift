import DataParallel

/// Mini-batch SGD of a linear model on sparse (CSR) rows: the ``TrainingLoop`` with a
/// ``SparseStepEngine``. LIBSVM data trains here without a dense copy, in time per step
/// proportional to the batch's stored entries times the outputs. Batches and shards are the
/// dense trainer's, and the results are bitwise the same for any worker count.
///
/// The optimizer is sgd, or one of the per-coordinate adaptive rules (adagrad, ftrl: see
/// ``SparseAdaptiveOptimizer``). Options that would change every weight at every step (adam,
/// momentum, averaging) are rejected.
public final class SparseTrainer {
    public let options: TrainingOptions
    public let pool: WorkerPool
    /// Where each step's shard gradients are summed (this process alone by default).
    public let combiner: any StepCombiner
    /// The work of the last ``train(_:on:test:validation:resume:control:onEpoch:)``.
    public private(set) var work = SparseTrainingWork()

    /// Below this |scale| the scale is folded into the weights.
    public static let foldThreshold = 1e-6

    public init(options: TrainingOptions, pool: WorkerPool, combiner: any StepCombiner = LocalCombiner()) {
        self.options = options
        self.pool = pool
        self.combiner = combiner
    }

    /// The options the sparse path cannot honour, as the config error a config file gets.
    public static func check(_ options: TrainingOptions, file: String = "<training options>") throws(LearningError) {
        try Config.checkSparseOptions(options, ConfigReader(file: file))
    }

    /// Trains `start` on sparse rows (see the dense ``Trainer/train(_:on:test:validation:resume:control:onEpoch:)``
    /// for the parameters). A `resume` state comes from a sparse run: its parameters hold V
    /// and its `weightScale` the scale.
    /// - Throws: a config error for options the sparse path rejects;
    ///   ``LearningError/training(message:)`` when the loss or a weight becomes non-finite.
    public func train(
        _ start: LinearModel, on train: SparseDataset, test: SparseDataset? = nil, validation: SparseDataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<LinearModel> {
        try options.validate()
        try Self.check(options)
        if combiner.processCount > 1 {
            throw .config(file: "<training options>", key: "data.train",
                          message: "sparse (LIBSVM) rows train in one process; run without mpirun, or use dense data (CSV, .npy)")
        }
        let engine = SparseStepEngine(start, train: train, options: options, pool: pool, combiner: combiner)
        defer { work = engine.work }
        return try TrainingLoop(options: options)
            .run(engine, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
    }
}
