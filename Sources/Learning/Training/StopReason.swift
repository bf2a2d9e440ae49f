/// Why training ended.
public enum StopReason: String, Sendable {
    /// `epochs` were run.
    case maxEpochs = "max_epochs"
    /// The training loss did not improve by `tol` for `n_iter_no_change` epochs.
    case converged
    /// `max_seconds` ran out.
    case timeBudget = "max_seconds"
    /// The validation accuracy did not improve by `tol` for `n_iter_no_change` epochs.
    case earlyStopping = "early_stopping"
    /// The caller asked to stop (a signal); the run's state is where to resume.
    case interrupted
}
