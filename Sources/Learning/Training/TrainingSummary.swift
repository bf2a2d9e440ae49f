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

extension TrainingSummary {
    /// The summary of a finished fit whose model is at `modelPath`.
    init(_ result: FitResult, modelPath: String, trainCount: Int, loadSeconds: Double, workers: Int) {
        let samples = Double(trainCount * result.epochs.count)
        self.init(
            modelPath: modelPath, epochs: result.epochs.count, trainLoss: result.train!.logLoss,
            objective: result.objective!, trainAccuracy: result.train!.accuracy, testLoss: result.test?.logLoss,
            testAccuracy: result.test?.accuracy, trainSeconds: result.seconds, loadSeconds: loadSeconds,
            samplesPerSecond: samples / max(result.seconds, 1e-9), workers: workers, stopReason: result.stopReason,
            zeroFraction: result.zeroFraction)
    }

    /// The summary of a run stopped by a signal, whose checkpoint is at `checkpointPath`.
    init(interrupted result: FitResult, checkpointPath: String, loadSeconds: Double, workers: Int) {
        self.init(
            modelPath: checkpointPath, epochs: result.epochs.count, trainLoss: .nan, objective: .nan,
            trainAccuracy: .nan, testLoss: nil, testAccuracy: nil, trainSeconds: result.seconds, loadSeconds: loadSeconds,
            samplesPerSecond: 0, workers: workers, stopReason: .interrupted)
        self.checkpointPath = checkpointPath
    }
}
