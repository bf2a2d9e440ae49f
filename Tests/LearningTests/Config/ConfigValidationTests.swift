import Testing
@testable import Learning

/// One mistake made in code on a config that is otherwise fine, and the key and words of the
/// error that `validate()` must report.
struct ConfigMistake: Sendable, CustomTestStringConvertible {
    var key: String
    var says: String
    var make: @Sendable (inout Config) -> Void
    var testDescription: String { "\(key): \(says)" }

    init(_ key: String, _ says: String, _ make: @escaping @Sendable (inout Config) -> Void) {
        self.key = key
        self.says = says
        self.make = make
    }
}

@Suite struct ConfigValidationTests {
    /// A config built in code that trains on a CSV file with every other value at its default.
    static func csvConfig() -> Config {
        var c = Config()
        c.data.train = "a.csv"
        return c
    }

    func validationError(_ c: Config) -> (file: String, key: String, message: String)? {
        do {
            try c.validate()
            return nil
        } catch {
            if case .config(let file, let key, let message) = error { return (file, key, message) }
            return nil
        }
    }

    func decode(_ text: String) throws -> Config {
        try Config.decode(try JSONParser.parse(Array(text.utf8)), file: "c.json")
    }

    func decodeError(_ text: String) -> LearningError? {
        do {
            _ = try decode(text)
            return nil
        } catch let e as LearningError {
            return e
        } catch { return nil }
    }

    @Test func aConfigBuiltInCodePassesWhenEveryValueFits() throws {
        try Self.csvConfig().validate()
        var synthetic = Config()
        synthetic.data.synthetic = SyntheticSpec()
        synthetic.modelType = .mlp
        try synthetic.validate()
        // A plain Config() has no training data.
        #expect(validationError(Config())?.key == "data.train")
    }

    /// The checks that tie keys together: each one, removed, lets its config through.
    @Test(arguments: [
        ConfigMistake("training.nesterov", "needs momentum > 0") { $0.training.nesterov = true },
        ConfigMistake("training.alpha", "\"optimal\" learning rate needs alpha > 0") {
            $0.training.learningRate = .optimal; $0.training.alpha = 0
        },
        ConfigMistake("data.missing_indicator", "needs imputation") { $0.data.missingIndicator = true },
        ConfigMistake("data.ignore", "is the label column") { $0.data.ignore = ["label"] },
        ConfigMistake("data.categorical", "also in data.ignore") {
            $0.data.ignore = ["id"]; $0.data.categorical = .named(["id"])
        },
        ConfigMistake("data.categorical", "only for CSV data") {
            $0.data.train = "x.npy"; $0.data.labelColumn = 0; $0.data.categorical = .auto
        },
        ConfigMistake("data", "not both") { $0.data.synthetic = SyntheticSpec() },
        ConfigMistake("data.train", "missing") { $0.data.train = nil },
        ConfigMistake("data.synthetic.features", "\"rings\" needs at least 2 features") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.data.synthetic?.shape = .rings
            $0.data.synthetic?.features = 1
        },
        ConfigMistake("data.synthetic.classes", "\"xor\" has 2 classes") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.data.synthetic?.shape = .xor
        },
        ConfigMistake("data.synthetic.classes", "5 classes need at least as many samples (samples is 3)") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec()
            $0.data.synthetic?.samples = 3; $0.data.synthetic?.classes = 5
        },
        ConfigMistake("data.train_labels", "a .npy feature file needs a .npy labels file") { $0.data.train = "x.npy" },
        ConfigMistake("data.test_labels", "a .npy feature file needs a .npy labels file") { $0.data.test = "u.npy" },
        ConfigMistake("data.weight", "synthetic data has no weight column") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.data.weight = "w"
        },
        ConfigMistake("data.weight", "for .npy training data give data.train_weights") {
            $0.data.train = "x.npy"; $0.data.trainLabels = "y.npy"; $0.data.weight = "w"
        },
        ConfigMistake("data.weight", "'label' is the label column") { $0.data.weight = "label" },
        ConfigMistake("data.train_weights", "only for .npy training data") { $0.data.trainWeights = "w.npy" },
        ConfigMistake("data.test", "the test file must be too") { $0.data.train = "t.svm"; $0.data.test = "u.csv" },
        ConfigMistake("data.test", "needs LIBSVM training data") { $0.data.test = "u.svm" },
        ConfigMistake("data.features", "only for LIBSVM training data") { $0.data.features = 10 },
        ConfigMistake("data.train_labels", "only for .npy training data") { $0.data.trainLabels = "y.npy" },
        ConfigMistake("data.test_labels", "only for a .npy test file") { $0.data.test = "u.csv"; $0.data.testLabels = "y.npy" },
        ConfigMistake("data.label_column", "only for .npy data") { $0.data.labelColumn = 0 },
        ConfigMistake("data.label_column", "a LIBSVM row starts with its label") {
            $0.data.train = "t.svm"; $0.data.labelColumn = 0
        },
        ConfigMistake("data.weight", "LIBSVM rows have no weight column") { $0.data.train = "t.svm"; $0.data.weight = "w" },
        ConfigMistake("model.type", "linear models only") { $0.data.train = "t.svm"; $0.modelType = .mlp },
        ConfigMistake("training.optimizer", "O(features)") { $0.data.train = "t.svm"; $0.training.optimizer = .adam },
        ConfigMistake("training.momentum", "O(features)") { $0.data.train = "t.svm"; $0.training.momentum = 0.5 },
        ConfigMistake("training.average", "O(features)") { $0.data.train = "t.svm"; $0.training.averageAfter = 10 },
        ConfigMistake("training.optimizer", "is for LIBSVM (sparse) data only") { $0.training.optimizer = .adagrad },
        ConfigMistake("training.optimizer", "is for LIBSVM (sparse) data only") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.training.optimizer = .ftrl
        },
        ConfigMistake("training.momentum", "with \"ftrl\" (it has no momentum)") {
            $0.data.train = "t.svm"; $0.training.optimizer = .ftrl; $0.training.momentum = 0.5
        },
    ])
    func crossKeyMistakesNameTheKey(mistake: ConfigMistake) throws {
        var c = Self.csvConfig()
        mistake.make(&c)
        let e = try #require(validationError(c))
        #expect(e.file == "<config>" && e.key == mistake.key)
        #expect(e.message.contains(mistake.says), "message: \(e.message)")
    }

    /// Values a file cannot hold out of range (decode refuses them) but code can.
    @Test(arguments: [
        ConfigMistake("training.batch_size", "0 is out of range; allowed: an integer from 1 to 2147483647") {
            $0.training.batchSize = 0
        },
        ConfigMistake("training.epochs", "0 is out of range") { $0.training.epochs = 0 },
        ConfigMistake("training.eta0", "0 is out of range; allowed: a number > 0") { $0.training.eta0 = 0 },
        ConfigMistake("training.eta0", "nan is out of range; allowed: a number > 0") { $0.training.eta0 = .nan },
        ConfigMistake("training.eta0", "inf is out of range; allowed: a number > 0") { $0.training.eta0 = .infinity },
        ConfigMistake("training.power_t", "-1 is out of range; allowed: a number >= 0") { $0.training.powerT = -1 },
        ConfigMistake("training.l1_ratio", "1.5 is out of range; allowed: a number in [0, 1]") { $0.training.l1Ratio = 1.5 },
        ConfigMistake("training.alpha", "-0.5 is out of range; allowed: a number >= 0") { $0.training.alpha = -0.5 },
        ConfigMistake("training.tol", "-1 is out of range") { $0.training.tol = -1 },
        ConfigMistake("training.n_iter_no_change", "0 is out of range") { $0.training.nIterNoChange = 0 },
        ConfigMistake("training.seed", "9007199254740993 is out of range; allowed: an integer from 0 to 9007199254740992") {
            $0.training.seed = Config.maxSeed + 1
        },
        ConfigMistake("training.momentum", "1 is out of range; allowed: a number in [0, 1)") { $0.training.momentum = 1 },
        ConfigMistake("training.beta1", "1 is out of range") { $0.training.beta1 = 1 },
        ConfigMistake("training.beta2", "-0.1 is out of range") { $0.training.beta2 = -0.1 },
        ConfigMistake("training.epsilon", "0 is out of range; allowed: a number > 0") { $0.training.epsilon = 0 },
        ConfigMistake("training.validation_fraction", "1 is out of range; allowed: a number in (0, 1)") {
            $0.training.validationFraction = 1
        },
        ConfigMistake("training.average", "0 is out of range") { $0.training.averageAfter = 0 },
        ConfigMistake("training.class_weight.cat", "0 is out of range; allowed: a float32 number > 0") {
            $0.training.classWeight = .given([LabelWeight(label: "cat", weight: 0)])
        },
        ConfigMistake("training.max_seconds", "0 is out of range; allowed: a number > 0 or null") { $0.training.maxSeconds = 0 },
        ConfigMistake("workers", "-1 is out of range; allowed: an integer from 0 to 1024") { $0.workers = -1 },
        ConfigMistake("workers", "1025 is out of range") { $0.workers = 1025 },
        ConfigMistake("output.dir", "must not be empty") { $0.outputDir = "" },
        ConfigMistake("data.train", "must not be empty") { $0.data.train = "" },
        ConfigMistake("data.label", "must not be empty") { $0.data.label = "" },
        ConfigMistake("data.weight", "must not be empty") { $0.data.weight = "" },
        ConfigMistake("data.test_fraction", "1 is out of range; allowed: a number in [0, 1)") { $0.data.testFraction = 1 },
        ConfigMistake("data.label_column", "2000000 is out of range") {
            $0.data.train = "x.npy"; $0.data.labelColumn = 2_000_000
        },
        ConfigMistake("data.features", "0 is out of range") { $0.data.train = "t.svm"; $0.data.features = 0 },
        ConfigMistake("data.synthetic.samples", "1 is out of range; allowed: an integer from 2 to 100000000") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.data.synthetic?.samples = 1
        },
        ConfigMistake("data.synthetic.features", "0 is out of range") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.data.synthetic?.features = 0
        },
        ConfigMistake("data.synthetic.noise", "-1 is out of range; allowed: a number from 0 to 1e30") {
            $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.data.synthetic?.noise = -1
        },
        ConfigMistake("model.hidden", "expected 1 to 64 layer sizes, found 0") { $0.modelType = .mlp; $0.hidden = [] },
        ConfigMistake("model.hidden[1]", "0 is out of range; allowed: an integer from 1 to 100000") {
            $0.modelType = .mlp; $0.hidden = [8, 0]
        },
    ])
    func valuesOutOfRangeNameTheKey(mistake: ConfigMistake) throws {
        var c = Self.csvConfig()
        mistake.make(&c)
        let e = try #require(validationError(c))
        #expect(e.key == mistake.key)
        #expect(e.message.contains(mistake.says), "message: \(e.message)")
    }

    @Test func hiddenSizesMatterOnlyForAnMLP() throws {
        var c = Self.csvConfig()
        c.hidden = []
        try c.validate()
    }

    /// The same mistake in a file and in code is the same error, key and message alike.
    @Test func aFileAndCodeGetTheSameError() {
        let cases: [(file: String, code: (inout Config) -> Void)] = [
            (#"{"data": {"train": "a.csv"}, "training": {"eta0": 0}}"#, { $0.training.eta0 = 0 }),
            (#"{"data": {"train": "a.csv"}, "training": {"batch_size": 0}}"#, { $0.training.batchSize = 0 }),
            (#"{"data": {"train": "a.csv"}, "training": {"l1_ratio": 1.5}}"#, { $0.training.l1Ratio = 1.5 }),
            (#"{"data": {"train": "a.csv"}, "workers": 2000}"#, { $0.workers = 2000 }),
            (#"{"data": {"train": "a.csv"}, "model": {"type": "mlp", "hidden": [3, 0]}}"#, {
                $0.modelType = .mlp; $0.hidden = [3, 0]
            }),
            (#"{"data": {"train": "a.csv"}, "training": {"class_weight": {"b": 0}}}"#, {
                $0.training.classWeight = .given([LabelWeight(label: "b", weight: 0)])
            }),
            (#"{"data": {"train": "a.csv", "ignore": ["label"]}}"#, { $0.data.ignore = ["label"] }),
            (#"{"data": {"train": "a.csv", "missing_indicator": true}}"#, { $0.data.missingIndicator = true }),
            (#"{"data": {"train": "a.csv"}, "training": {"nesterov": true}}"#, { $0.training.nesterov = true }),
            (#"{"data": {"train": "a.csv"}, "training": {"learning_rate": "optimal", "alpha": 0}}"#, {
                $0.training.learningRate = .optimal; $0.training.alpha = 0
            }),
            (#"{"data": {"train": "a.csv", "synthetic": {}}}"#, { $0.data.synthetic = SyntheticSpec() }),
            (#"{"data": {}}"#, { $0.data.train = nil }),
            (#"{"data": {"synthetic": {"samples": 3, "classes": 5}}}"#, {
                $0.data.train = nil; $0.data.synthetic = SyntheticSpec()
                $0.data.synthetic?.samples = 3; $0.data.synthetic?.classes = 5
            }),
            (#"{"data": {"synthetic": {"shape": "xor", "classes": 3}}}"#, {
                $0.data.train = nil; $0.data.synthetic = SyntheticSpec(); $0.data.synthetic?.shape = .xor
            }),
            (#"{"data": {"train": "x.npy"}}"#, { $0.data.train = "x.npy" }),
            (#"{"data": {"train": "a.csv", "weight": "label"}}"#, { $0.data.weight = "label" }),
            (#"{"data": {"train": "a.csv", "train_weights": "w.npy"}}"#, { $0.data.trainWeights = "w.npy" }),
            (#"{"data": {"train": "a.csv", "features": 5}}"#, { $0.data.features = 5 }),
            (#"{"data": {"train": "t.svm"}, "training": {"average": 4}}"#, {
                $0.data.train = "t.svm"; $0.training.averageAfter = 4
            }),
        ]
        for (text, code) in cases {
            var c = Self.csvConfig()
            c.file = "c.json"
            code(&c)
            guard let fromFile = decodeError(text) else {
                Issue.record("no error for \(text)")
                continue
            }
            #expect(throws: fromFile, "\(text)") { try c.validate() }
        }
    }

    /// A file with several mistakes between keys reports the one the checks meet first, as
    /// before validate() existed: data before model and training, training before the
    /// format checks.
    @Test(arguments: [
        (#"{"data": {"train": "x.npy", "synthetic": {}}}"#, "data.train_labels"),
        (#"{"data": {"train": "a.csv", "synthetic": {}, "weight": "w"}}"#, "data"),
        (#"{"data": {"weight": "label"}}"#, "data.weight"),
        (#"{"data": {"train_weights": "w.npy"}}"#, "data.train_weights"),
        (#"{"data": {"synthetic": {"shape": "rings", "features": 1, "samples": 2, "classes": 3}}}"#,
         "data.synthetic.features"),
        (#"{"data": {"train": "x.npy", "test": "u.svm"}}"#, "data.train_labels"),
        (#"{"data": {"train": "t.svm"}, "training": {"optimizer": "adam", "momentum": 0.5}}"#, "training.optimizer"),
        (#"{"data": {"train": "t.svm", "test": "u.csv"}, "training": {"momentum": 0.5}}"#, "data.test"),
    ])
    func severalCrossKeyMistakesReportTheFirstAsBefore(text: String, key: String) throws {
        guard case .config(_, let k, _)? = decodeError(text) else {
            Issue.record("no config error for \(text)")
            return
        }
        #expect(k == key)
    }

    /// The one change validate() brings to decode: the checks between keys now run after
    /// every key has been read, so a wrong type, a value out of range or an unknown key
    /// anywhere in the file is reported before them.
    @Test func keysAreReadBeforeTheChecksBetweenThem() {
        let text = #"{"data": {"train": "x.npy"}, "training": {"batch_size": 0}}"#
        guard case .config(_, let key, _)? = decodeError(text) else {
            Issue.record("no config error")
            return
        }
        #expect(key == "training.batch_size")  // data.train_labels before validate() existed
    }

    @Test func trainingOptionsAloneNameTheirKeys() throws {
        var o = TrainingOptions()
        try o.validate()
        o.batchSize = 0
        #expect(throws: LearningError.config(file: "<training options>", key: "training.batch_size",
                                             message: "0 is out of range; allowed: an integer from 1 to 2147483647")) {
            try o.validate()
        }
        o.batchSize = 8
        o.nesterov = true
        #expect(throws: LearningError.config(file: "grid", key: "training.nesterov", message: "nesterov needs momentum > 0")) {
            try o.validate(file: "grid")
        }
    }
}
