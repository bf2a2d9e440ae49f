/// scikit-learn's stopping rule, checked after every epoch on a criterion where lower is
/// better: the epoch's objective (training loss + alpha R), or with early stopping minus the
/// validation accuracy. An epoch that is not below best - tol counts as no improvement;
/// n_iter_no_change of them in a row are a stall. A stall ends training, except that the
/// "adaptive" schedule first divides its rate (``LearningRateSchedule/divisor(afterStallAt:)``).
/// Without tol nothing stops early.
struct StoppingRule {
    let tol: Double?
    /// n_iter_no_change.
    let patience: Int
    /// Early stopping on a validation set.
    let validating: Bool
    let schedule: LearningRateSchedule

    init(_ options: TrainingOptions, validating: Bool) {
        tol = options.tol
        patience = options.nIterNoChange
        self.validating = validating
        schedule = LearningRateSchedule(options)
    }

    /// Applies the rule to the epoch just finished, whose criterion is `criterion`, updating the
    /// best criterion, the epochs without improvement and the schedule's divisor in `state`
    /// (the caller keeps the parameters of an epoch that ``TrainingState/improvesOnBest(_:)``).
    /// - Returns: why training ends now, or nil to go on.
    func apply(criterion: Double, to state: inout TrainingState) -> StopReason? {
        let best = state.bestCriterion ?? .infinity
        guard let tol else {
            if validating { state.bestCriterion = min(best, criterion) }
            return nil
        }
        state.epochsWithoutImprovement = criterion > best - tol ? state.epochsWithoutImprovement + 1 : 0
        state.bestCriterion = min(best, criterion)
        guard state.epochsWithoutImprovement >= patience else { return nil }
        if let divisor = schedule.divisor(afterStallAt: state.adaptiveDivisor) {
            state.adaptiveDivisor = divisor
            state.epochsWithoutImprovement = 0
            return nil
        }
        return validating ? .earlyStopping : .converged
    }
}

extension TrainingState {
    /// True when `criterion` is below the best so far (or is the first).
    func improvesOnBest(_ criterion: Double) -> Bool { criterion < (bestCriterion ?? .infinity) }
}
