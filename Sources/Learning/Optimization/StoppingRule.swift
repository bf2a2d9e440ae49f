import Foundation

extension TrainingState {
    /// scikit-learn's stopping rule after an epoch whose criterion is `criterion` (lower is
    /// better): an epoch that is not below best - tol counts as no improvement;
    /// n_iter_no_change of them in a row end training, or, with the "adaptive" schedule,
    /// divide the rate by 5 while it is above 1e-6 (a stall at a rate of 1e-6 or less ends
    /// training). With early stopping (`validating`)
    /// the criterion is minus the validation accuracy (the caller keeps the parameters of an
    /// epoch that ``improvesOnBest(_:)``).
    /// - Returns: why training ends now, or nil to go on.
    mutating func applyStoppingRule(criterion: Double, validating: Bool, options: TrainingOptions) -> StopReason? {
        let best = bestCriterion ?? .infinity
        guard let tol = options.tol else {
            if validating { bestCriterion = min(best, criterion) }
            return nil
        }
        epochsWithoutImprovement = criterion > best - tol ? epochsWithoutImprovement + 1 : 0
        bestCriterion = min(best, criterion)
        guard epochsWithoutImprovement >= options.nIterNoChange else { return nil }
        // As scikit-learn: divide while the rate is above 1e-6; a stall at 1e-6 or less ends
        // training (so the epochs after the last division run at a rate of 1e-6 or less).
        if options.learningRate == .adaptive && options.eta0 / adaptiveDivisor > 1e-6 {
            adaptiveDivisor *= 5
            epochsWithoutImprovement = 0
            return nil
        }
        return validating ? .earlyStopping : .converged
    }

    /// True when `criterion` is below the best so far (or is the first).
    func improvesOnBest(_ criterion: Double) -> Bool { criterion < (bestCriterion ?? .infinity) }
}

// The bookkeeping around every step and epoch that the dense and the sparse trainer share.
extension TrainingState {
    /// Where the epoch in progress stands after a step, for ``TrainingControl/onProgress``.
    func progress(epochs: Int, batchSize: Int, batchesInEpoch: Int, rows n: Int, epochStart: Date) -> TrainingProgress {
        TrainingProgress(
            epoch: epoch, epochs: epochs, batchesDone: (position + batchSize - 1) / batchSize,
            batchesInEpoch: batchesInEpoch, samplesDone: position, samplesInEpoch: n,
            seconds: epochSeconds + Date().timeIntervalSince(epochStart), loss: epochLossSum / Double(position))
    }

    /// The report of the epoch just trained on `n` rows, from its running figures (the test,
    /// validation and zero-weight figures are the caller's to add).
    /// - Throws: ``LearningError/training(message:)`` naming the epoch when the loss or a
    ///   weight is not finite.
    func epochReport(rows n: Int, weightsAreFinite: Bool) throws(LearningError) -> EpochReport {
        let loss = epochLossSum / Double(n)
        if !loss.isFinite || !weightsAreFinite {
            throw .training(message: "epoch \(epoch): the loss or the weights became non-finite (loss \(loss)); "
                + "try a smaller eta0, another learning_rate schedule, or data.standardize = true")
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
