extension TrainingState {
    /// scikit-learn's stopping rule after an epoch whose criterion is `criterion` (lower is
    /// better): an epoch that is not below best - tol counts as no improvement;
    /// n_iter_no_change of them in a row end training, or, with the "adaptive" schedule,
    /// divide the rate by 5 (ending training below 1e-6). With early stopping (`validating`)
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
        if options.learningRate == .adaptive {
            adaptiveDivisor *= 5
            epochsWithoutImprovement = 0
            if options.eta0 / adaptiveDivisor >= 1e-6 { return nil }
        }
        return validating ? .earlyStopping : .converged
    }

    /// True when `criterion` is below the best so far (or is the first).
    func improvesOnBest(_ criterion: Double) -> Bool { criterion < (bestCriterion ?? .infinity) }
}
