/// The rows a search chooses on, and the test set it never looks at while choosing.
///
/// The training split is what ``Prepared/prepare(_:config:initial:)`` would train on before
/// its early-stopping hold-out: the rows read, less the stratified test split of
/// `data.test_fraction` seeded by the base config's `training.seed` (unless there is a test
/// file). Every candidate sees the same split, whatever seed it varies.
public struct SearchData<Rows: TrainingRows>: Sendable {
    /// The training split, not standardised: folds fit their own scalers.
    public var train: Rows
    public var test: Rows?
    public var label: String
    public var weight: String?
    public var source: String
    /// Rows of the data read that make up `train`, in order (all of them with a test file).
    public var trainRows: [Int]
    /// How the CSV columns became the features, learned on the whole training split (every
    /// fold shares it), or nil.
    public var preprocessing: ColumnPreprocessing?

    /// Splits rows read for `base` (see the type's description).
    /// - Throws: when every feature of the training split is constant.
    public init(_ loaded: LoadedData<Rows>, base: Config) throws(LearningError) {
        var test = loaded.test
        var rows = Array(0..<loaded.rows.count)
        if test == nil, base.data.testFraction > 0 {
            let split = Splitting.stratified(labels: loaded.rows.labels, classCount: loaded.rows.classes.count,
                                             testFraction: base.data.testFraction, seed: base.training.seed)
            test = loaded.rows.subset(split.test)
            rows = split.train
        }
        train = rows.count == loaded.rows.count ? loaded.rows : loaded.rows.subset(rows)
        if train.allFeaturesConstant { throw .allFeaturesConstant(file: loaded.source, rows: train.count) }
        self.test = test
        label = loaded.label
        weight = loaded.weight
        source = loaded.source
        trainRows = rows
        preprocessing = loaded.preprocessing
    }

    /// What `--save-folds` writes: for every row of the training split, its row in the data
    /// read (0-based, header not counted) and its fold, so that another program can cut the
    /// same folds.
    public func foldsJSON(_ folds: Folds) -> JSONValue {
        .object([
            ("data", .string(source)), ("folds", .number(Double(folds.count))), ("seed", .number(Double(folds.seed))),
            ("classes", .array(train.classes.map { .string($0) })),
            ("train_rows", .array(trainRows.map { .number(Double($0)) })),
            ("fold", .array(folds.assignment.map { .number(Double($0)) })),
        ])
    }

    /// The rows of fold `f` prepared for `config`: the model trains on the other folds' rows
    /// (less an early-stopping hold-out when the config asks for one) and is scored on fold
    /// f's rows, which take the place of the test set; the scaler is fitted on the rows the
    /// model trains on.
    public func fold(_ f: Int, of folds: Folds, config: Config) -> Prepared<Rows> {
        prepared(train.subset(folds.trainingRows(f)), scored: train.subset(folds.validationRows(f)), config: config)
    }

    /// The whole training split prepared for `config`, scored on the test set: the final
    /// model of a search.
    public func whole(config: Config) -> Prepared<Rows> {
        prepared(train, scored: test, config: config)
    }

    private func prepared(_ rows: Rows, scored: Rows?, config: Config) -> Prepared<Rows> {
        var rows = rows
        var validation: Rows? = nil
        if config.training.earlyStopping {
            let split = Splitting.validation(labels: rows.labels, classCount: rows.classes.count, options: config.training)
            validation = rows.subset(split.test)
            rows = rows.subset(split.train)
        }
        var prepared = Prepared(train: rows, test: scored, validation: validation,
                                scaling: config.data.standardize ? .fitted : .none, label: label, weight: weight, source: source)
        prepared.preprocessing = preprocessing
        return prepared
    }
}
