import DataParallel

/// Labelled rows that a model trains on, whatever their storage: dense (``Dataset``) or
/// sparse (``SparseDataset``). What the preparation (splits, standardisation) and the training
/// loop need of rows that is not about how a row's values are stored.
public protocol TrainingRows: Sendable {
    var count: Int { get }
    var featureCount: Int { get }
    var featureNames: [String] { get }
    /// Class index per row into `classes` (negative: a label the classes do not contain).
    var labels: [Int32] { get }
    var classes: [String] { get }
    var unseenLabels: [String] { get }
    /// Per-row sample weights, or nil when every row weighs 1.
    var weights: [Float]? { get set }
    /// The number of rows of each class.
    var classCounts: [Int] { get }
    /// The rows at `indices`, in that order.
    func subset(_ indices: [Int]) -> Self
    /// Whether every feature holds one value in all rows (nothing to learn from).
    var allFeaturesConstant: Bool { get }
    /// The standardiser fitted on these rows: z-scores for dense rows, scale only for sparse
    /// rows (centring would make them dense).
    func fittedScaler() -> Standardizer
    /// Applies a standardiser fitted by ``fittedScaler()`` (or read from a model file).
    mutating func standardize(with scaler: Standardizer)
    /// What a checkpoint records to recognise the rows it was trained on.
    var identity: DataIdentity { get }
}

extension TrainingRows {
    /// The number of rows of each class (rows with labels outside the classes not counted).
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for y in labels where y >= 0 { counts[Int(y)] += 1 }
        return counts
    }
}

extension Dataset: TrainingRows {
    public var allFeaturesConstant: Bool {
        let d = featureCount
        return features.withUnsafeBufferPointer { x in
            // Stops at the first row that differs, so a usable data set costs one row's comparison.
            for r in 1..<max(count, 1) {
                for j in 0..<d where x[r * d + j] != x[j] { return false }
            }
            return true
        }
    }

    public func fittedScaler() -> Standardizer { Standardizer(fitting: features, featureCount: featureCount) }

    public mutating func standardize(with scaler: Standardizer) { scaler.transform(&features) }

    public var identity: DataIdentity { DataIdentity(self) }
}

extension SparseDataset: TrainingRows {
    public func fittedScaler() -> Standardizer { Standardizer(fittingScaleOnly: self) }

    public mutating func standardize(with scaler: Standardizer) { scaler.transformScaleOnly(&self) }

    public var identity: DataIdentity { DataIdentity(self) }
}
