/// `data` section: where the examples come from and how they are prepared.
public struct DataConfig: Sendable, Equatable {
    /// Training CSV, resolved against the config's folder. Exactly one of `train` and `synthetic`.
    public var train: String?
    /// Optional test CSV; without one, `testFraction` of the training file is held out.
    public var test: String?
    /// Name of the label column.
    public var label = "label"
    /// Labels of a `.npy` training (test) file, as a 1-D `.npy` file.
    public var trainLabels: String?
    public var testLabels: String?
    /// The label column of `.npy` feature files (negative counts from the end).
    public var labelColumn: Int?
    /// Fraction held out as a stratified, seeded test split when there is no test file.
    public var testFraction = 0.2
    /// Standardise features by z-scores computed on the training split.
    public var standardize = true
    public var synthetic: SyntheticSpec?
    /// The CSV column of per-sample weights (not a feature), or nil.
    public var weight: String?
    /// Per-sample weights of a `.npy` or LIBSVM training file, as a 1-D `.npy` file.
    public var trainWeights: String?
    /// The format of the training and test files; `.auto` goes by their extensions.
    public var format = DataFormat.auto
    /// LIBSVM only: the number of features (an index above it is an error); nil takes the
    /// largest index in the training file.
    public var features: Int?
    public init() {}
}

extension DataConfig {
    /// The resolved format of the training file (`.csv` for synthetic data, which is dense).
    public var trainFormat: DataFormat {
        guard let train else { return .csv }
        return format.resolved(for: train)
    }

    /// True when the training data is LIBSVM text and training takes the sparse path.
    public var isSparse: Bool { trainFormat == .libsvm }
}
