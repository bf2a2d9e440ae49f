/// A candidate's figures over the folds of a cross-validation, as scikit-learn's
/// `cv_results_` gives them: for scores x_1..x_k in fold order,
///
///     mean = (1/k) sum_f x_f,    sd = sqrt((1/k) sum_f (x_f - mean)^2)
///
/// (the population standard deviation, numpy's default). A candidate with a failed fold has
/// no mean or sd and ranks last.
public struct CandidateScore: Sendable, Equatable {
    public var candidate: Int
    /// One per fold, in fold order.
    public var folds: [FoldScore]
    public var meanAccuracy: Double?
    public var sdAccuracy: Double?
    public var meanLogLoss: Double?
    public var sdLogLoss: Double?
    /// Mean wall seconds of training per fold.
    public var meanSeconds: Double
    /// Mean epochs trained per fold.
    public var meanEpochs: Double
    /// The first failed fold's message, or nil.
    public var failure: String?

    /// - Precondition: `folds` holds one score per fold, in fold order.
    public init(candidate: Int, folds: [FoldScore]) {
        precondition(!folds.isEmpty)
        self.candidate = candidate
        self.folds = folds
        failure = folds.first(where: { !$0.succeeded })?.failure ?? (folds.allSatisfy(\.succeeded) ? nil : "no score")
        meanSeconds = Self.mean(folds.map(\.seconds))
        meanEpochs = Self.mean(folds.map { Double($0.epochs) })
        if failure == nil {
            let acc = folds.map { $0.accuracy! }, loss = folds.map { $0.logLoss! }
            meanAccuracy = Self.mean(acc)
            sdAccuracy = Self.standardDeviation(acc)
            meanLogLoss = Self.mean(loss)
            sdLogLoss = Self.standardDeviation(loss)
        }
    }

    /// (1/k) sum x, summed in order.
    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// sqrt((1/k) sum (x - mean)^2), summed in order.
    static func standardDeviation(_ x: [Double]) -> Double {
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }

    /// Ranks before `other`: a lower mean log loss, a scored candidate before a failed one,
    /// and the lower index on a tie.
    public func ranksBefore(_ other: CandidateScore) -> Bool {
        switch (meanLogLoss, other.meanLogLoss) {
        case (let a?, let b?) where a != b: return a < b
        case (_?, nil): return true
        case (nil, _?): return false
        default: return candidate < other.candidate
        }
    }
}
