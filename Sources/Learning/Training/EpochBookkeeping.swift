import Foundation

// The bookkeeping of ``TrainingLoop`` around every step and epoch.
extension TrainingState {
    /// Where the epoch in progress stands after a step, for ``TrainingControl/onProgress``.
    func progress(epochs: Int, batches: Batches, epochStart: Date) -> TrainingProgress {
        TrainingProgress(
            epoch: epoch, epochs: epochs, batchesDone: (position + batches.size - 1) / batches.size,
            batchesInEpoch: batches.perEpoch, samplesDone: position, samplesInEpoch: batches.rows,
            seconds: epochSeconds + Date().timeIntervalSince(epochStart), loss: epochLossSum / Double(position))
    }

    /// The report of the epoch just trained on `n` rows, from its running figures (the test,
    /// validation and zero-weight figures are the caller's to add).
    /// - Throws: ``LearningError/training(message:)`` naming the epoch when the loss or a
    ///   weight is not finite.
    /// - Parameter advice: what to try instead (``TrainingOptions/divergenceAdvice``).
    func epochReport(rows n: Int, weightsAreFinite: Bool, advice: String) throws(LearningError) -> EpochReport {
        let loss = epochLossSum / Double(n)
        if !loss.isFinite || !weightsAreFinite {
            throw .training(message: "epoch \(epoch): the loss or the weights became non-finite (loss \(loss)); " + advice)
        }
        return EpochReport(
            epoch: epoch, loss: loss, accuracy: Double(epochCorrect) / Double(n), learningRate: learningRate,
            seconds: epochSeconds, samplesPerSecond: Double(n) / max(epochSeconds, 1e-9))
    }

    /// Records the finished epoch's report and moves to the next epoch, whose shuffle starts
    /// where this one's generator stopped (`randomState`).
    mutating func startNextEpoch(after report: EpochReport, randomState: UInt64) {
        reports.append(report)
        epoch += 1
        position = 0
        epochRandomState = randomState
        epochLossSum = 0
        epochCorrect = 0
        epochSeconds = 0
    }
}

extension TrainingOptions {
    /// What a diverged run should try, naming only settings that it reads: under "optimal" the
    /// rate 1 / (alpha (t0 + t)) ignores eta0, so a larger alpha or another schedule; otherwise a
    /// smaller eta0 (the current one named), and for sgd the gentler "adaptive" schedule.
    /// (Standardisation is the data's part: ``fit(_:data:pool:from:resume:control:combiner:onEpoch:)``
    /// adds it when `data.standardize` is off.)
    public var divergenceAdvice: String {
        if learningRate == .optimal {
            return "the \"optimal\" rate 1 / (alpha (t0 + t)) ignores eta0: try a larger training.alpha (now "
                + JSONValue.number(alpha).jsonText + ") or training.learning_rate \"adaptive\" with a small eta0"
        }
        var advice = "try a smaller training.eta0 (now \(JSONValue.number(eta0).jsonText))"
        if optimizer == .sgd && learningRate == .constant { advice += " or training.learning_rate \"adaptive\"" }
        if optimizer == .sgd && momentum > 0 { advice += " or a smaller training.momentum" }
        return advice
    }
}
