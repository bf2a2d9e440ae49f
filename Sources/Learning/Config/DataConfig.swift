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
    /// CSV columns left out of the features (an id, a date); "" names a column without a
    /// header name, such as the index pandas' `to_csv()` writes.
    public var ignore: [String] = []
    /// CSV columns to one-hot encode (see ``ColumnPreprocessing``).
    public var categorical = CategoricalColumns.none
    /// What an empty CSV cell of a feature column does.
    public var missing = MissingValues.error
    /// With imputation, one more 0/1 column per numeric feature that had empty cells in the
    /// training split: 1 where the cell was empty (scikit-learn's `add_indicator`).
    public var missingIndicator = false
    public init() {}
}

/// `data.categorical`: the CSV columns one-hot encoded.
public enum CategoricalColumns: Sendable, Equatable {
    /// None: every feature column must hold numbers.
    case none
    /// Every column that is not the label, the weight or ignored and holds a value that is not
    /// a number (empty cells aside).
    case auto
    /// These columns.
    case named([String])
}

/// `data.missing`: empty cells in feature columns, scikit-learn SimpleImputer's strategies.
/// The fill values are learned on the training split and stored in the model.
public enum MissingValues: String, Sendable, CaseIterable {
    /// An empty cell is an error naming its column and line.
    case error
    /// The column's mean (numeric columns; an empty categorical cell encodes as all zeros).
    case mean
    /// The column's median (numeric columns; an empty categorical cell encodes as all zeros).
    case median
    /// The column's most frequent value, the smallest of a tie (numeric and categorical).
    case mostFrequent = "most_frequent"
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

extension DataConfig {
    /// True when the CSV columns need more than numbers: ignored, categorical or imputed
    /// columns (read by ``TextTable`` and ``ColumnPreprocessing`` instead of the numeric reader).
    public var preprocessesColumns: Bool {
        !ignore.isEmpty || categorical != .none || missing != .error
    }
}
