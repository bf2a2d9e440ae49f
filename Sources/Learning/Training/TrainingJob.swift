import DataParallel
import Foundation

/// A whole `minibatch train` run: load the data a config names, ``fit(_:data:pool:from:resume:control:combiner:onEpoch:)``
/// it, write model.json, metrics.jsonl and report.html. The same for dense and LIBSVM data.
public enum TrainingJob {
    /// The folder a run writes to: output.dir, or runs/<config file name>.
    public static func outputFolder(_ config: Config) -> String { RunFolder.outputFolder(config) }

    /// Runs the config. The output folder is locked for the whole run (a second run into it
    /// is refused) and written only through one ``RunOutput``: nothing is written unless
    /// training succeeds, except checkpoints: every `control.checkpointEvery` epochs, and when
    /// `control.shouldStop` interrupts the run (then only the checkpoint is written, and the
    /// summary's stop reason is ``StopReason/interrupted``). A run that fails leaves the folder
    /// as it was, its checkpoints included. A process of a group that does not write files
    /// (`control.writesFiles` false: every MPI rank but the first) neither locks nor writes.
    /// - Parameters:
    ///   - initModel: a model file to continue training from (warm start), or nil.
    ///   - control: checkpoints, a checkpoint to resume from, interruption, progress.
    ///   - onEpoch: called after every epoch (for progress lines).
    public static func run(_ config: Config, initModel: String? = nil, control: JobControl = JobControl(),
                           onEpoch: (EpochReport) -> Void = { _ in }) throws(LearningError) -> TrainingSummary {
        try config.validate()
        let pool: WorkerPool
        do { pool = try WorkerPool(workers: config.workers) } catch {
            throw .config(file: config.file, key: "workers", message: error.description)
        }
        try RunFolder.checkOutputFolder(config)
        if config.data.isSparse && control.combiner.processCount > 1 {
            throw .config(file: config.file, key: "data.train",
                          message: "sparse (LIBSVM) rows train in one process; run without mpirun, or use dense data (CSV, .npy)")
        }
        let output = control.writesFiles
            ? try RunOutput.open(folder: RunFolder.outputFolder(config), file: config.file,
                                 runID: control.resume.map { $0.runID ?? RunOutput.newRunID() })
            : nil
        do throws(LearningError) {
            let summary = try run(config, initModel: initModel, control: control, pool: pool, output: output, onEpoch: onEpoch)
            output?.close()
            return summary
        } catch {
            output?.abandon()
            throw error
        }
    }

    /// Loads the data and the starting model, then runs the rest.
    static func run(_ config: Config, initModel: String?, control: JobControl, pool: WorkerPool, output: RunOutput?,
                    onEpoch: (EpochReport) -> Void) throws(LearningError) -> TrainingSummary {
        control.onStage?(.loading)
        let loadStart = Date()
        let initial = try initModel.map { path throws(LearningError) in try SavedModel.read(path: path) }
        if config.data.isSparse {
            let data = try PreparedSparseData.load(config, initial: initial)
            let loadSeconds = Date().timeIntervalSince(loadStart)
            let start = Model.linear(try startingModel(config, data: data, from: initial?.model))
            return try run(config, data: data, start: start, initModel: initModel, control: control, pool: pool,
                           output: output, loadSeconds: loadSeconds, onEpoch: onEpoch)
        }
        let data = try PreparedData.load(config, pool: pool, initial: initial)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let start = try startingModel(config, data: data, from: initial?.model)
        return try run(config, data: data, start: start, initModel: initModel, control: control, pool: pool,
                       output: output, loadSeconds: loadSeconds, onEpoch: onEpoch)
    }

    /// The part of ``run(_:initModel:control:onEpoch:)`` after loading and choosing the
    /// starting model: checks a resumed run's data, fits, then writes the checkpoint of an
    /// interrupted run, or the run's files (through `output`; nil on a process that writes none).
    static func run<Rows: TrainingRows>(
        _ config: Config, data: Prepared<Rows>, start: Model, initModel: String?, control: JobControl, pool: WorkerPool,
        output: RunOutput?, loadSeconds: Double, onEpoch: (EpochReport) -> Void
    ) throws(LearningError) -> TrainingSummary {
        let folder = RunFolder.outputFolder(config)
        let (trainerControl, checkpoint) = try control.trainerControl(
            config: config, initModel: initModel, data: data.train.identity, output: output)
        try checkScoringMemory(config, data: data)
        try control.onLoaded()
        control.onStage?(.training)
        let result = try fit(config, data: data, pool: pool, from: start, resume: control.resume?.state,
                             control: trainerControl, combiner: control.combiner, onEpoch: onEpoch)
        try checkTestScores(result, data: data, config: config, pool: pool)
        control.onStage?(.writing)
        if result.stopReason == .interrupted {
            try checkpoint(result.state)
            return TrainingSummary(interrupted: result, checkpointPath: Checkpoint.path(in: folder), loadSeconds: loadSeconds,
                                   workers: pool.workerCount)
        }
        let summary = TrainingSummary(result, modelPath: (folder as NSString).appendingPathComponent("model.json"),
                                      trainCount: data.train.count, loadSeconds: loadSeconds, workers: pool.workerCount)
        var saved = SavedModel(model: result.model, classes: data.train.classes, featureNames: data.train.featureNames,
                               label: data.label, scaler: data.scaler)
        saved.weight = data.weight
        saved.preprocessing = data.preprocessing
        guard let output else { return summary }
        try RunFolder.write(result, config: config, summary: summary, saved: saved, output: output,
                            trainCount: data.train.count, testCount: data.test?.count ?? 0,
                            classCounts: data.classCountsJSON)
        return summary
    }
}

extension TrainingJob {
    /// Refuses, before training, a run whose final evaluation cannot be held: scoring the
    /// largest split needs rows x classes probabilities (``MemoryBudget/scoringBytes(rows:classes:)``;
    /// 100,000 rows of 100,000 classes are 40 GB). The error names `data.synthetic.classes`
    /// for synthetic data, else the training file.
    static func checkScoringMemory<Rows: TrainingRows>(_ config: Config, data: Prepared<Rows>,
                                                       available: Double = MemoryBudget.physicalMemory) throws(LearningError) {
        let rows = max(data.train.count, data.test?.count ?? 0), k = data.train.classes.count
        guard let shortfall = MemoryBudget.shortfall(needs: MemoryBudget.scoringBytes(rows: rows, classes: k),
                                                     available: available) else { return }
        let message = "the final evaluation, scoring \(rows) rows for \(k) classes, \(shortfall)"
        if config.data.synthetic != nil {
            throw .config(file: config.file, key: "data.synthetic.classes", message: message)
        }
        throw .data(file: data.source, line: nil, message: message)
    }

    /// A test row whose scores the trained model cannot compute in float32 (finite values
    /// whose logits overflow) is an error naming the test file and row, not a test loss of nan
    /// in the summary and the files.
    static func checkTestScores<Rows: TrainingRows>(_ result: FitResult, data: Prepared<Rows>, config: Config,
                                                    pool: WorkerPool) throws(LearningError) {
        guard let test = data.test as? Dataset, let figures = result.test, !figures.logLoss.isFinite else { return }
        let losses = result.model.score(test, pool: pool).losses
        let row = losses.firstIndex { !$0.isFinite } ?? 0
        let which = config.data.test == nil ? "a row of the test split" : "row \(row + 1)"
        throw .data(file: config.data.test ?? data.source, line: nil,
                    message: "\(which): the trained model's scores for it are beyond float32 (its log loss is not finite); "
                        + "values this far from the training data cannot be scored")
    }
}
