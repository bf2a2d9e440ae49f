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

    /// The keys of `minibatch train --json`, in order.
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
        ])
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

    /// Runs the config. Nothing is written unless training succeeds.
    /// - Parameters:
    ///   - initModel: a model file to continue training from (warm start), or nil.
    ///   - onEpoch: called after every epoch (for progress lines).
    public static func run(_ config: Config, initModel: String? = nil,
                           onEpoch: (EpochReport) -> Void = { _ in }) throws(LearningError) -> TrainingSummary {
        let pool: WorkerPool
        do { pool = try WorkerPool(workers: config.workers) } catch {
            throw .config(file: config.file, key: "workers", message: error.description)
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
        let run = try Trainer(options: config.training, pool: pool)
            .train(start, on: data.train, test: data.test, validation: data.validation, onEpoch: onEpoch)

        let trainScores = run.model.score(data.train, pool: pool)
        var final = Evaluation(scores: trainScores, data: data.train)
        // With weights, the training loss is the weighted objective's data term (test figures stay unweighted).
        if let w = config.training.rowWeights(for: data.train, heldOut: data.validation) {
            final.logLoss = Evaluation.weightedMeanLoss(trainScores.losses, weights: w)
        }
        let penalty = config.training.penalty.value(run.model.penalizedWeights)
        let testEval = data.test.flatMap { $0.count > 0 ? Evaluation(model: run.model, data: $0, pool: pool) : nil }
        let samples = Double(data.train.count * run.epochs.count)
        let folder = outputFolder(config)
        let modelPath = (folder as NSString).appendingPathComponent("model.json")
        let summary = TrainingSummary(
            modelPath: modelPath, epochs: run.epochs.count, trainLoss: final.logLoss,
            objective: final.logLoss + config.training.alpha * penalty, trainAccuracy: final.accuracy,
            testLoss: testEval?.logLoss, testAccuracy: testEval?.accuracy, trainSeconds: run.seconds,
            loadSeconds: loadSeconds, samplesPerSecond: samples / max(run.seconds, 1e-9), workers: pool.workerCount,
            stopReason: run.stopReason)

        var saved = SavedModel(
            model: run.model, classes: data.train.classes, featureNames: data.train.featureNames, label: data.label,
            scaler: data.scaler, config: config.jsonValue, metrics: summary.jsonValue,
            training: .object([
                ("epochs", .number(Double(run.epochs.count))), ("steps", .number(Double(run.steps))),
                ("stop_reason", .string(run.stopReason.rawValue)),
                ("train_samples", .number(Double(data.train.count))),
                ("test_samples", .number(Double(data.test?.count ?? 0))),
            ]))
        saved.weight = data.weight
        try AtomicFile.makeFolder(folder)
        try AtomicFile.write(MetricsLog.text(run.epochs), to: (folder as NSString).appendingPathComponent("metrics.jsonl"))
        try saved.write(to: modelPath)
        return summary
    }
}

extension TrainingJob {
    /// The untrained model the config asks for: linear models start at zero, networks at
    /// seeded random weights (``MLP/initialized(seed:)`` with training.seed).
    static func initialModel(_ config: Config, data: PreparedData) throws(LearningError) -> Model {
        let d = data.train.featureCount, k = data.train.classes.count
        if config.modelType == .mlp {
            return .mlp(MLP(featureCount: d, hidden: config.hidden, activation: config.activation, classCount: k)
                .initialized(seed: config.training.seed))
        }
        let kind = try data.modelKind(config.modelType, configFile: config.file)
        return .linear(LinearModel(kind: kind, featureCount: d, classCount: k))
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
    public static func line(_ r: EpochReport) -> String {
        JSONValue.object([
            ("epoch", .number(Double(r.epoch))),
            ("loss", .number(r.loss)),
            ("accuracy", .number(r.accuracy)),
            ("learning_rate", .number(r.learningRate)),
            ("seconds", .number(r.seconds)),
            ("samples_per_second", .number(r.samplesPerSecond)),
            ("test_loss", .numberOrNull(r.testLoss)),
            ("test_accuracy", .numberOrNull(r.testAccuracy)),
            ("validation_loss", .numberOrNull(r.validationLoss)),
            ("validation_accuracy", .numberOrNull(r.validationAccuracy)),
        ]).jsonText
    }

    public static func text(_ reports: [EpochReport]) -> String {
        reports.map { line($0) + "\n" }.joined()
    }
}
