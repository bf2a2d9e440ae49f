import DataParallel

/// Training rows ready for a model: a test set held out (or read from its own file), a
/// validation set for early stopping, every split standardised with a scaler fitted on the
/// training split alone. Dense (``PreparedData``) and sparse (``PreparedSparseData``) rows are
/// prepared by the same steps.
public struct Prepared<Rows: TrainingRows>: Sendable {
    public var train: Rows
    public var test: Rows?
    /// Held out of the training split for early stopping.
    public var validation: Rows?
    /// The standardiser applied to every split, or nil.
    public var scaler: Standardizer?
    /// The label column's name.
    public var label: String
    /// The CSV column of sample weights (`data.weight`), or nil; the rows' weights are in
    /// `train.weights` (and travel with the rows into `test` and `validation`).
    public var weight: String? = nil
    /// Where the training data came from, for messages.
    public var source: String
    /// How the CSV columns became the features (stored in the model), or nil.
    public var preprocessing: ColumnPreprocessing? = nil

    /// How the splits are standardised.
    public enum Scaling: Sendable {
        /// Left as they are.
        case none
        /// With a standardiser fitted on the training split (``TrainingRows/fittedScaler()``).
        case fitted
        /// With this one (a warm start's, from its model file), or none when it is nil.
        case given(Standardizer?)
    }

    /// Splits that are already cut, standardised as `scaling` says: a caller that makes its own
    /// splits (a cross-validation fold, say) gets a scaler fitted on its own training rows.
    public init(train: Rows, test: Rows?, validation: Rows?, scaling: Scaling, label: String, weight: String? = nil,
                source: String) {
        let scaler: Standardizer?
        switch scaling {
        case .none: scaler = nil
        case .fitted: scaler = train.fittedScaler()
        case .given(let s): scaler = s
        }
        var train = train, test = test, validation = validation
        if let scaler {
            train.standardize(with: scaler)
            if test != nil { test!.standardize(with: scaler) }
            if validation != nil { validation!.standardize(with: scaler) }
        }
        self.train = train
        self.test = test
        self.validation = validation
        self.scaler = scaler
        self.label = label
        self.weight = weight
        self.source = source
    }

    /// Prepares rows read for `config`: a stratified, seeded test split of `data.test_fraction`
    /// when there is no test file, the validation split with early stopping, then
    /// standardisation (`data.standardize`), or a warm start's stored scaler as it is.
    /// - Throws: when every feature of the training split is constant, or when early stopping
    ///   gets an empty validation split (classes too small for `validation_fraction`), which
    ///   the training loop would otherwise ignore without a word.
    public static func prepare(_ loaded: LoadedData<Rows>, config: Config, initial: SavedModel? = nil)
        throws(LearningError) -> Prepared
    {
        var all = loaded.rows, test = loaded.test
        let validation = Splitting.holdOut(&all, test: &test, classCount: all.classes.count,
                                           testFraction: config.data.testFraction, options: config.training)
        if all.allFeaturesConstant { throw .allFeaturesConstant(file: loaded.source, rows: all.count) }
        if config.training.earlyStopping, (validation?.count ?? 0) == 0 {
            let largest = all.classCounts.max() ?? 0
            throw .config(file: config.file, key: "training.early_stopping",
                          message: "the validation split is empty: validation_fraction \(config.training.validationFraction) of "
                              + "classes of at most \(largest) training rows rounds to no row; use a larger "
                              + "training.validation_fraction, more data, or early_stopping false")
        }
        let scaling: Scaling = initial.map { .given($0.scaler) } ?? (config.data.standardize ? .fitted : .none)
        var prepared = Prepared(train: all, test: test, validation: validation, scaling: scaling, label: loaded.label,
                                weight: loaded.weight, source: loaded.source)
        prepared.preprocessing = loaded.preprocessing
        try prepared.checkStandardisedRange(config, source: loaded.source)
        return prepared
    }

    /// Dense rows standardised beyond float32 (a test cell of 3e38 where the training column
    /// varies by 1e-3) are an error naming the file and the column, not a test loss of nan.
    func checkStandardisedRange(_ config: Config, source: String) throws(LearningError) {
        guard let scaler else { return }
        let splits: [(String, Rows?, String)] = [("training split", train, source), ("validation split", validation, source),
                                                 (config.data.test == nil ? "test split" : "test file", test,
                                                  config.data.test ?? source)]
        for (name, rows, file) in splits {
            guard let d = rows as? Dataset, let (r, j) = scaler.firstNonFinite(in: d.features) else { continue }
            let which = name == "test file" ? "row \(r + 1)" : "a row of the \(name)"
            throw .data(file: file, line: nil, message: "\(which): " + scaler.beyondFloat32(column: d.featureNames[j], at: j))
        }
    }

    /// The model kind for `type` and this data's class count.
    public func modelKind(_ type: ModelType, configFile: String) throws(LearningError) -> LinearModelKind {
        try Self.modelKind(type, classCount: train.classes.count, configFile: configFile)
    }

    /// The model kind for `type` and `k` classes.
    static func modelKind(_ type: ModelType, classCount k: Int, configFile: String) throws(LearningError) -> LinearModelKind {
        switch type {
        case .auto: return k == 2 ? .logistic : .softmax
        case .softmax, .mlp: return .softmax
        case .logistic:
            if k != 2 {
                throw .config(file: configFile, key: "model.type",
                              message: "\"logistic\" needs two classes, the data has \(k); use \"softmax\" or \"auto\"")
            }
            return .logistic
        }
    }
}

/// Dense training rows ready for a model.
public typealias PreparedData = Prepared<Dataset>
/// LIBSVM training rows ready for the sparse path, never made dense.
public typealias PreparedSparseData = Prepared<SparseDataset>

/// The rows a config names, as read (or generated), labels encoded, before anything is held
/// out or standardised (see ``Prepared/prepare(_:config:initial:)``).
public struct LoadedData<Rows: TrainingRows>: Sendable {
    /// Every training row.
    public var rows: Rows
    /// The rows of the test file, if the config names one.
    public var test: Rows?
    /// The label column's name.
    public var label: String
    /// The CSV column of sample weights, or nil.
    public var weight: String?
    /// Where the training data came from, for messages.
    public var source: String
    /// How the CSV columns became the features, or nil.
    public var preprocessing: ColumnPreprocessing? = nil

    public init(rows: Rows, test: Rows?, label: String, weight: String? = nil, source: String) {
        self.rows = rows
        self.test = test
        self.label = label
        self.weight = weight
        self.source = source
    }
}
