/// What one (candidate, fold) job of a cross-validation gave: the model trained on the other
/// folds, scored on this fold's rows.
public struct FoldScore: Sendable, Equatable {
    public var candidate: Int
    public var fold: Int
    /// Accuracy and mean log loss on the fold's rows; nil when training failed.
    public var accuracy: Double?
    public var logLoss: Double?
    /// Wall seconds of training.
    public var seconds: Double
    /// Epochs trained.
    public var epochs: Int
    public var stopReason: StopReason?
    /// Why training failed (it diverged, say), or nil.
    public var failure: String?

    public init(candidate: Int, fold: Int, accuracy: Double?, logLoss: Double?, seconds: Double, epochs: Int,
                stopReason: StopReason?, failure: String? = nil) {
        self.candidate = candidate
        self.fold = fold
        self.accuracy = accuracy
        self.logLoss = logLoss
        self.seconds = seconds
        self.epochs = epochs
        self.stopReason = stopReason
        self.failure = failure
    }

    /// The figures of a finished fit, scored on the fold's rows (the fit's test set).
    init(candidate: Int, fold: Int, _ result: FitResult) {
        self.init(candidate: candidate, fold: fold, accuracy: result.test?.accuracy, logLoss: result.test?.logLoss,
                  seconds: result.seconds, epochs: result.epochs.count, stopReason: result.stopReason)
    }

    /// Whether both scores are there.
    public var succeeded: Bool { accuracy != nil && logLoss != nil }
}
