import DataParallel

/// Mini-batch SGD of a model on dense rows: the ``TrainingLoop`` with a ``DenseStepEngine``.
///
/// Each step takes the next B rows of the epoch's permutation, cuts them into shards by a
/// ``ShardPlan`` that depends only on B, lets every shard add its rows' (p - y) x^T into its
/// own buffer, sums the buffers along the fixed pairwise tree (the ``StepCombiner``) and takes
/// one regularised step (the ``OptimizerKind``'s rule); an l1 penalty is then applied by
/// cumulative truncation (``CumulativeL1``). The same options and seed give the same bits for
/// any worker count.
public final class Trainer {
    public let options: TrainingOptions
    public let pool: WorkerPool
    /// Where each step's shard gradients are summed (this process alone by default).
    public let combiner: any StepCombiner

    public init(options: TrainingOptions, pool: WorkerPool, combiner: any StepCombiner = LocalCombiner()) {
        self.options = options
        self.pool = pool
        self.combiner = combiner
    }

    /// The shard plan of a batch of `rows` rows (see ``Batches``).
    public static func plan(batchRows rows: Int) -> ShardPlan { Batches.plan(batchRows: rows) }

    /// Trains `start` from its current parameters.
    /// - Parameters:
    ///   - train: labels must all be classes of the model (none negative).
    ///   - test: scored after every epoch when given.
    ///   - validation: with `early_stopping`, scored after every epoch; its accuracy replaces the
    ///     training loss in the stopping rule, and the run returns the parameters of the epoch
    ///     with the best validation accuracy.
    ///   - resume: a state from an earlier run of the same options, model shape and data (a
    ///     checkpoint): training continues from it exactly as that run would have.
    ///   - control: checkpoints, interruption and progress reports.
    ///   - onEpoch: called after every epoch, in order.
    /// - Throws: ``LearningError/training(message:)`` when the loss or a weight becomes non-finite.
    public func train(
        _ start: LinearModel, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<LinearModel> {
        try run(start, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
    }

    /// Trains a network from its current parameters (see the linear model's overload).
    public func train(
        _ start: MLP, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<MLP> {
        try run(start, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
    }

    /// Trains any model (see the linear model's overload).
    public func train(
        _ start: Model, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<Model> {
        switch start {
        case .linear(let m):
            try run(m, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
                .map(Model.linear)
        case .mlp(let m):
            try run(m, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
                .map(Model.mlp)
        }
    }

    func run<M: TrainableModel>(
        _ start: M, on train: Dataset, test: Dataset?, validation: Dataset?, resume: TrainingState?,
        control: TrainingControl, onEpoch: (EpochReport) -> Void
    ) throws(LearningError) -> TrainingRun<M> {
        try options.validate()
        try Config.checkDenseOptions(options, ConfigReader(file: "<training options>"))
        // Every process starts from the first one's parameters.
        var start = start, resume = resume
        combiner.share(&start.parameters)
        if resume != nil { combiner.share(&resume!.parameters) }
        let engine = DenseStepEngine(start, train: train, options: options, pool: pool, combiner: combiner)
        return try TrainingLoop(options: options)
            .run(engine, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
    }
}
