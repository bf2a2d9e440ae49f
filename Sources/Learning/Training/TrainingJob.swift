import DataParallel
import Foundation

/// The final figures of a training run, as printed by `minibatch train --json`.
public struct TrainingSummary: Sendable {
    public var modelPath: String
    public var epochs: Int
    /// Mean data loss on the whole training split with the final weights; with sample or
    /// class weights, (1/n) sum_i w_i L_i.
    public var trainLoss: Double
    /// trainLoss + alpha * R(W), scikit-learn's objective.
    public var objective: Double
    public var trainAccuracy: Double
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var trainSeconds: Double
    public var loadSeconds: Double
    public var samplesPerSecond: Double
    public var workers: Int
    public var stopReason: StopReason
    /// With an l1 or elasticnet penalty: the fraction of exactly-zero weights; else nil.
    public var zeroFraction: Double?
    /// Where the run's checkpoint was written when it was interrupted.
    public var checkpointPath: String?

    /// The keys of `minibatch train --json`, in order (`zero_fraction` only with l1 or elasticnet).
    public var jsonValue: JSONValue {
        .object([
            ("model_path", .string(modelPath)),
            ("epochs", .number(Double(epochs))),
            ("train_loss", .number(trainLoss)),
            ("objective", .number(objective)),
            ("train_accuracy", .number(trainAccuracy)),
            ("test_loss", .numberOrNull(testLoss)),
            ("test_accuracy", .numberOrNull(testAccuracy)),
            ("train_seconds", .number(trainSeconds)),
            ("load_seconds", .number(loadSeconds)),
            ("samples_per_second", .number(samplesPerSecond)),
            ("workers", .number(Double(workers))),
        ] + (zeroFraction.map { [("zero_fraction", JSONValue.number($0))] } ?? []))
    }
}

/// How a `minibatch train` run goes beyond its config.
public struct JobControl {
    /// Write DIR/checkpoint after every N epochs.
    public var checkpointEvery: Int?
    /// Continue from this checkpoint (its config is the run's config).
    public var resume: Checkpoint?
    /// Asked after every step; true ends the run with a checkpoint (see ``TrainingJob/run``).
    public var shouldStop: () -> Bool
    public var onProgress: ((TrainingProgress) -> Void)?

    public init(checkpointEvery: Int? = nil, resume: Checkpoint? = nil, shouldStop: @escaping () -> Bool = { false },
                onProgress: ((TrainingProgress) -> Void)? = nil) {
        self.checkpointEvery = checkpointEvery
        self.resume = resume
        self.shouldStop = shouldStop
        self.onProgress = onProgress
    }
}

extension JobControl {
    /// Checks that a resumed run trains on its checkpoint's data, and makes the trainer's
    /// control, whose checkpoints go to `folder`/checkpoint.
    /// - Returns: that control, and the function that writes a state as the checkpoint.
    func trainerControl(config: Config, initModel: String?, data identity: DataIdentity, folder: String)
        throws(LearningError) -> (control: TrainingControl, checkpoint: (TrainingState) throws(LearningError) -> Void)
    {
        if let resume, resume.data != identity {
            throw .data(file: config.data.train ?? "<synthetic>", line: nil,
                        message: "the training data differs from the checkpoint's (\(resume.data.rows) rows, "
                            + "\(resume.data.features) features, classes \(resume.data.classes.joined(separator: ", ")) "
                            + "and a fingerprint of every value); resume with the same data")
        }
        let checkpoint = { (state: TrainingState) throws(LearningError) in
            try Checkpoint(config: config, initModel: initModel, data: identity, state: state).write(folder: folder)
        }
        var control = TrainingControl(checkpointEvery: checkpointEvery, onCheckpoint: checkpoint, shouldStop: shouldStop,
                                      onProgress: onProgress)
        if resume != nil { control.checkpointFile = Checkpoint.path(in: folder) }
        return (control, checkpoint)
    }
}

/// A whole `minibatch train` run: load, train, measure, write model.json and metrics.jsonl.
public enum TrainingJob {
    /// The folder a run writes to.
    public static func outputFolder(_ config: Config) -> String {
        if let dir = config.outputDir { return dir }
        let name = ((config.file as NSString).lastPathComponent as NSString).deletingPathExtension
        return "runs/" + (name.isEmpty ? "run" : name)
    }

    /// Checks before any work that the run's files can be written where they go: the output
    /// folder, or the nearest of its parents that exists, is a folder, and none of the files
    /// the run writes is a folder. Otherwise the mistake would surface only after training, as
    /// a write failure (exit 1) with some of the files already written.
    static func checkOutputFolder(_ config: Config) throws(LearningError) {
        let fm = FileManager.default
        let folder = outputFolder(config)
        func isFolder(_ path: String) -> Bool? {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &isDir) ? isDir.boolValue : nil
        }
        // Up to the nearest existing path.
        var existing = folder
        while isFolder(existing) == nil, let parent = folderPart(of: existing), parent != existing {
            existing = parent
        }
        if isFolder(existing) == false {
            let what = existing == folder ? "not a folder" : "so '\(folder)' cannot be a folder"
            throw .config(file: config.file, key: "output.dir",
                          message: "'\(existing)' is a file, \(what); output.dir (or --out) names the run's output folder")
        }
        for name in ["model.json", "metrics.jsonl", TrainingReport.fileName, Checkpoint.fileName] {
            let path = (folder as NSString).appendingPathComponent(name)
            if isFolder(path) == true {
                throw .config(file: config.file, key: "output.dir",
                              message: "'\(path)' is a folder; the run writes a file of that name in its output folder")
            }
        }
    }

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
        let pool: WorkerPool
        do { pool = try WorkerPool(workers: config.workers) } catch {
            throw .config(file: config.file, key: "workers", message: error.description)
        }
        try checkOutputFolder(config)
        if config.data.isSparse {
            return try runSparse(config, pool: pool, initModel: initModel, control: control, onEpoch: onEpoch)
        }
        let loadStart = Date()
        let initial = try initModel.map { path throws(LearningError) in try SavedModel.read(path: path) }
        let data = try PreparedData.load(config, pool: pool, initial: initial)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let start: Model
        if let initial {
            try checkWarmStart(config, initial: initial.model)
            start = initial.model
        } else {
            start = try initialModel(config, data: data)
        }
        let folder = outputFolder(config)
        let (trainerControl, checkpoint) = try control.trainerControl(
            config: config, initModel: initModel, data: DataIdentity(data.train), folder: folder)
        let run = try Trainer(options: config.training, pool: pool)
            .train(start, on: data.train, test: data.test, validation: data.validation, resume: control.resume?.state,
                   control: trainerControl, onEpoch: onEpoch)
        if run.stopReason == .interrupted {
            try checkpoint(run.state)
            return interruptedSummary(folder: folder, run: run, loadSeconds: loadSeconds, workers: pool.workerCount)
        }

        let trainScores = run.model.score(data.train, pool: pool)
        var final = Evaluation(scores: trainScores, data: data.train)
        // With weights, the training loss is the weighted objective's data term (test figures stay unweighted).
        if let w = config.training.rowWeights(for: data.train, heldOut: data.validation) {
            final.logLoss = Evaluation.weightedMeanLoss(trainScores.losses, weights: w)
        }
        let testEval = data.test.flatMap { $0.count > 0 ? Evaluation(model: run.model, data: $0, pool: pool) : nil }
        var saved = SavedModel(model: run.model, classes: data.train.classes, featureNames: data.train.featureNames,
                               label: data.label, scaler: data.scaler)
        saved.weight = data.weight
        return try finish(config, folder: folder, run: run, saved: saved, final: final, testEval: testEval,
                          trainCount: data.train.count, testCount: data.test?.count ?? 0,
                          classCounts: data.classCountsJSON, loadSeconds: loadSeconds, workers: pool.workerCount)
    }

    /// The summary of a run stopped by a signal (its checkpoint is written).
    static func interruptedSummary<M>(folder: String, run: TrainingRun<M>, loadSeconds: Double, workers: Int)
        -> TrainingSummary
    {
        var summary = TrainingSummary(
            modelPath: Checkpoint.path(in: folder), epochs: run.epochs.count, trainLoss: .nan, objective: .nan,
            trainAccuracy: .nan, testLoss: nil, testAccuracy: nil, trainSeconds: run.seconds, loadSeconds: loadSeconds,
            samplesPerSecond: 0, workers: workers, stopReason: .interrupted)
        summary.checkpointPath = Checkpoint.path(in: folder)
        return summary
    }

    /// Writes a finished run's model.json (from `saved`, which has the model, classes, feature
    /// names, label, weight column and scaler; the run's record is filled in here),
    /// metrics.jsonl and report.html, and returns the summary.
    /// - Parameters:
    ///   - final: the final model on the training split (its loss weighted when training is).
    ///   - testEval: the final model on the test set, if there is one.
    static func finish<M: Classifier>(
        _ config: Config, folder: String, run: TrainingRun<M>, saved: SavedModel, final: Evaluation, testEval: Evaluation?,
        trainCount: Int, testCount: Int, classCounts: [(key: String, value: JSONValue)], loadSeconds: Double, workers: Int
    ) throws(LearningError) -> TrainingSummary {
        let penalty = config.training.penalty.value(run.model.penalizedWeights, l1Ratio: config.training.l1Ratio)
        let samples = Double(trainCount * run.epochs.count)
        let modelPath = (folder as NSString).appendingPathComponent("model.json")
        let summary = TrainingSummary(
            modelPath: modelPath, epochs: run.epochs.count, trainLoss: final.logLoss,
            objective: final.logLoss + config.training.alpha * penalty, trainAccuracy: final.accuracy,
            testLoss: testEval?.logLoss, testAccuracy: testEval?.accuracy, trainSeconds: run.seconds,
            loadSeconds: loadSeconds, samplesPerSecond: samples / max(run.seconds, 1e-9), workers: workers,
            stopReason: run.stopReason,
            zeroFraction: config.training.penalty.l1Share(l1Ratio: config.training.l1Ratio) > 0 && config.training.alpha > 0
                ? run.model.zeroWeightFraction : nil)

        var saved = saved
        saved.config = config.jsonValue
        saved.metrics = summary.jsonValue
        saved.training = .object([
            ("epochs", .number(Double(run.epochs.count))), ("steps", .number(Double(run.steps))),
            ("stop_reason", .string(run.stopReason.rawValue)),
            ("train_samples", .number(Double(trainCount))),
            ("test_samples", .number(Double(testCount))),
        ] + classCounts)
        saved.evaluation = testEval.map { $0.recordJSON(set: "test") } ?? final.recordJSON(set: "train")
        try AtomicFile.makeFolder(folder)
        try AtomicFile.write(MetricsLog.text(run.epochs), to: (folder as NSString).appendingPathComponent("metrics.jsonl"))
        try saved.write(to: modelPath)
        try TrainingReport.write(folder: folder)
        return summary
    }
}

extension TrainingJob {
    /// The untrained model the config asks for: linear models start at zero, networks at
    /// seeded random weights (``MLP/initialized(seed:)`` with training.seed).
    static func initialModel(_ config: Config, data: PreparedData) throws(LearningError) -> Model {
        let d = data.train.featureCount, k = data.train.classes.count
        if config.modelType == .mlp {
            try checkNetworkMemory(config, features: d, classes: k, dataBytes: Double(data.train.features.count) * 4)
            return .mlp(MLP(featureCount: d, hidden: config.hidden, activation: config.activation, classCount: k)
                .initialized(seed: config.training.seed))
        }
        let kind = try data.modelKind(config.modelType, configFile: config.file)
        return .linear(LinearModel(kind: kind, featureCount: d, classCount: k))
    }

    /// Refuses, before allocating it, a network whose parameters, per-shard buffers and
    /// model file, with the `dataBytes` of training data already held, need more memory than
    /// the machine has (see ``MemoryBudget``); the error names `model.hidden`.
    static func checkNetworkMemory(_ config: Config, features d: Int, classes k: Int, dataBytes: Double,
                                   available: Double = MemoryBudget.physicalMemory) throws(LearningError) {
        let t = config.training
        let bytes = MemoryBudget.networkBytes(features: d, hidden: config.hidden, classes: k, batchSize: t.batchSize,
                                              optimizerSlots: t.optimizer == .adam ? 2 : (t.momentum != 0 ? 1 : 0))
        guard let shortfall = MemoryBudget.shortfall(needs: bytes + dataBytes, available: available) else { return }
        throw .config(file: config.file, key: "model.hidden",
                      message: "a network of \(d) inputs, hidden layers \(config.hidden) and \(k) classes, with its data, \(shortfall)")
    }

    /// A warm start continues the saved model as it is: a config that names another model
    /// type, or another network shape, is an error.
    static func checkWarmStart(_ config: Config, initial: Model) throws(LearningError) {
        if config.modelType != .auto && config.modelType.rawValue != initial.typeName {
            throw .config(file: config.file, key: "model.type",
                          message: "\"\(config.modelType.rawValue)\" differs from the initial model's \"\(initial.typeName)\"")
        }
        if config.modelType == .mlp, let net = initial.network {
            if config.hidden != net.hidden {
                throw .config(file: config.file, key: "model.hidden",
                              message: "\(config.hidden) differs from the initial model's \(net.hidden)")
            }
            if config.activation != net.activation {
                throw .config(file: config.file, key: "model.activation",
                              message: "\"\(config.activation.rawValue)\" differs from the initial model's \"\(net.activation.rawValue)\"")
            }
        }
    }
}

/// DIR/metrics.jsonl: one JSON object per epoch.
public enum MetricsLog {
    public static func line(_ r: EpochReport) -> String { r.jsonValue.jsonText }

    public static func text(_ reports: [EpochReport]) -> String {
        reports.map { line($0) + "\n" }.joined()
    }
}
