import DataParallel
import Foundation

/// A whole `minibatch train` run: load the data a config names, ``fit(_:data:pool:from:resume:control:combiner:onEpoch:)``
/// it, write model.json, metrics.jsonl and report.html. The same for dense and LIBSVM data.
public enum TrainingJob {
    /// The folder a run writes to: output.dir, or runs/<config file name>.
    public static func outputFolder(_ config: Config) -> String { RunFolder.outputFolder(config) }

    /// Runs the config. Nothing is written unless training succeeds, except checkpoints:
    /// every `control.checkpointEvery` epochs, and when `control.shouldStop` interrupts the
    /// run (then only the checkpoint is written, and the summary's stop reason is
    /// ``StopReason/interrupted``).
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
        let loadStart = Date()
        let initial = try initModel.map { path throws(LearningError) in try SavedModel.read(path: path) }
        if config.data.isSparse {
            let data = try PreparedSparseData.load(config, initial: initial)
            let loadSeconds = Date().timeIntervalSince(loadStart)
            let start = Model.linear(try startingModel(config, data: data, from: initial?.model))
            return try run(config, data: data, start: start, initModel: initModel, control: control, pool: pool,
                           loadSeconds: loadSeconds, onEpoch: onEpoch)
        }
        let data = try PreparedData.load(config, pool: pool, initial: initial)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let start = try startingModel(config, data: data, from: initial?.model)
        return try run(config, data: data, start: start, initModel: initModel, control: control, pool: pool,
                       loadSeconds: loadSeconds, onEpoch: onEpoch)
    }

    /// The part of ``run(_:initModel:control:onEpoch:)`` after loading and choosing the
    /// starting model: checks a resumed run's data, fits, then writes the checkpoint of an
    /// interrupted run, or the run's files.
    static func run<Rows: TrainingRows>(
        _ config: Config, data: Prepared<Rows>, start: Model, initModel: String?, control: JobControl, pool: WorkerPool,
        loadSeconds: Double, onEpoch: (EpochReport) -> Void
    ) throws(LearningError) -> TrainingSummary {
        let folder = RunFolder.outputFolder(config)
        let (trainerControl, checkpoint) = try control.trainerControl(
            config: config, initModel: initModel, data: data.train.identity, folder: folder)
        try control.onLoaded()
        let result = try fit(config, data: data, pool: pool, from: start, resume: control.resume?.state,
                             control: trainerControl, combiner: control.combiner, onEpoch: onEpoch)
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
        guard control.writesFiles else { return summary }
        try RunFolder.write(result, config: config, summary: summary, saved: saved, folder: folder,
                            trainCount: data.train.count, testCount: data.test?.count ?? 0,
                            classCounts: data.classCountsJSON)
        return summary
    }
}
