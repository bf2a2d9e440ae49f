import Foundation

/// Which model to train. `.auto` becomes logistic for two classes and softmax otherwise;
/// `.mlp` is a neural network (``MLP``) shaped by `model.hidden` and `model.activation`.
public enum ModelType: String, Sendable, CaseIterable {
    case auto, softmax, logistic, mlp
}

/// The penalty R(W) on the weight matrices (never on biases).
public enum Penalty: String, Sendable, CaseIterable {
    /// R = 0.5 * ||W||^2, dR/dW = W.
    case l2
    /// R = ||W||_1, applied by cumulative truncation (see ``CumulativeL1``).
    case l1
    /// R = (1 - l1_ratio) * 0.5 * ||W||^2 + l1_ratio * ||W||_1.
    case elasticnet
    /// R = 0.
    case none
}

/// The learning-rate schedule, with scikit-learn SGDClassifier's names and formulas.
public enum LearningRateKind: String, Sendable, CaseIterable {
    case constant, invscaling, optimal, adaptive
}

/// The layout of a synthetic data set's classes.
public enum SyntheticShape: String, Sendable, CaseIterable {
    /// One Gaussian blob per class: linearly separable up to the noise.
    case blobs
    /// Concentric circles in the first two features: no linear model separates them.
    case rings
    /// Two classes by the signs of the first two features (XOR): no linear model separates them.
    case xor
}

/// A synthetic data set made in memory (see ``SyntheticData``).
public struct SyntheticSpec: Sendable, Equatable {
    public var shape = SyntheticShape.blobs
    public var samples = 1000
    public var features = 20
    public var classes = 3
    public var noise = 1.0
    public var seed: UInt64 = 0
    public init() {}
}

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

/// `training` section. Names follow scikit-learn's SGDClassifier where one exists.
public struct TrainingOptions: Sendable, Equatable {
    public var batchSize = 32
    /// The most epochs (scikit-learn's max_iter).
    public var epochs = 1000
    public var learningRate = LearningRateKind.optimal
    public var eta0 = 0.01
    public var powerT = 0.5
    public var penalty = Penalty.l2
    public var alpha = 0.0001
    /// The l1 share of an elasticnet penalty, in [0, 1].
    public var l1Ratio = 0.15
    /// Stop when the epoch's objective (training loss + alpha R) has not improved by `tol` for `nIterNoChange`
    /// epochs; nil never stops early.
    public var tol: Double? = 0.001
    public var nIterNoChange = 5
    public var shuffle = true
    public var seed: UInt64 = 0
    /// The update rule (see ``OptimizerKind``) and its settings (PyTorch's defaults).
    public var optimizer = OptimizerKind.sgd
    public var momentum = 0.0
    public var nesterov = false
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// A wall-clock budget: training stops at the end of the epoch during which it runs out.
    public var maxSeconds: Double?
    /// Hold out `validationFraction` of the training split (stratified, seeded), stop on the
    /// validation accuracy instead of the training loss, and keep the best model.
    public var earlyStopping = false
    public var validationFraction = 0.1
    /// Averaged SGD: nil off; n >= 1 averages the parameters after every step once at least
    /// n samples have been seen (scikit-learn's `average`; `true` in a config means 1).
    public var averageAfter: Int?
    /// Weights of the classes in the loss and its gradient; nil weighs every class 1.
    public var classWeight: ClassWeight?
    public init() {}
}

/// A whole run's configuration, decoded once from JSON into typed values.
public struct Config: Sendable, Equatable {
    public var data = DataConfig()
    public var modelType = ModelType.auto
    /// Hidden layer sizes of an "mlp" (scikit-learn MLPClassifier's default, one layer of 100).
    public var hidden = [100]
    public var activation = Activation.relu
    public var training = TrainingOptions()
    /// Worker threads; 0 means one per active core.
    public var workers = 0
    /// Output folder; nil means `runs/<config file name>` in the current folder.
    public var outputDir: String?
    /// The file it was read from ("<config>" for one built in code).
    public var file = "<config>"
    public init() {}

    /// The largest worker count accepted.
    public static let maxWorkers = 1024
    /// The largest seed accepted: seeds must survive a round trip through JSON numbers.
    public static let maxSeed: UInt64 = 1 << 53

    /// The resolved config as JSON, every key present, stored in model files.
    public var jsonValue: JSONValue {
        var data: [(key: String, value: JSONValue)] = [
            ("train", self.data.train.map { .string($0) } ?? .null),
            ("test", self.data.test.map { .string($0) } ?? .null),
            ("label", .string(self.data.label)),
            ("train_labels", self.data.trainLabels.map { .string($0) } ?? .null),
            ("test_labels", self.data.testLabels.map { .string($0) } ?? .null),
            ("label_column", self.data.labelColumn.map { .number(Double($0)) } ?? .null),
            ("test_fraction", .number(self.data.testFraction)),
            ("standardize", .bool(self.data.standardize)),
            ("weight", self.data.weight.map { .string($0) } ?? .null),
            ("train_weights", self.data.trainWeights.map { .string($0) } ?? .null),
            ("format", .string(self.data.format.rawValue)),
            ("features", self.data.features.map { .number(Double($0)) } ?? .null),
        ]
        if let s = self.data.synthetic {
            data.append(("synthetic", .object([
                ("samples", .number(Double(s.samples))), ("features", .number(Double(s.features))),
                ("shape", .string(s.shape.rawValue)),
                ("classes", .number(Double(s.classes))), ("noise", .number(s.noise)),
                ("seed", .number(Double(s.seed))),
            ])))
        }
        let t = training
        return .object([
            ("data", .object(data)),
            ("model", .object([("type", .string(modelType.rawValue))] + (modelType == .mlp ? [
                ("hidden", .array(hidden.map { .number(Double($0)) })), ("activation", .string(activation.rawValue)),
            ] : []))),
            ("training", .object([
                ("batch_size", .number(Double(t.batchSize))), ("epochs", .number(Double(t.epochs))),
                ("learning_rate", .string(t.learningRate.rawValue)), ("eta0", .number(t.eta0)),
                ("power_t", .number(t.powerT)), ("penalty", .string(t.penalty.rawValue)),
                ("alpha", .number(t.alpha)), ("l1_ratio", .number(t.l1Ratio)), ("tol", t.tol.map { .number($0) } ?? .null),
                ("n_iter_no_change", .number(Double(t.nIterNoChange))), ("shuffle", .bool(t.shuffle)),
                ("seed", .number(Double(t.seed))), ("optimizer", .string(t.optimizer.rawValue)),
                ("momentum", .number(t.momentum)), ("nesterov", .bool(t.nesterov)), ("beta1", .number(t.beta1)),
                ("beta2", .number(t.beta2)), ("epsilon", .number(t.epsilon)),
                ("max_seconds", t.maxSeconds.map { .number($0) } ?? .null),
                ("early_stopping", .bool(t.earlyStopping)), ("validation_fraction", .number(t.validationFraction)),
                ("average", t.averageAfter.map { .number(Double($0)) } ?? .bool(false)),
                ("class_weight", t.classWeight?.jsonValue ?? .null),
            ])),
            ("workers", .number(Double(workers))),
            ("output", .object([("dir", outputDir.map { .string($0) } ?? .null)])),
        ])
    }
}

extension Config {
    /// Reads and validates a config file. Relative paths inside it are resolved against
    /// the file's folder.
    public static func load(path: String) throws(LearningError) -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .data(file: path, line: nil, message: exists ? "cannot read the config file" : "no such config file")
        }
        if data.isEmpty { throw .configSyntax(file: path, line: 1, column: 1, message: "the config file is empty") }
        let json: JSONValue
        do {
            json = try JSONParser.parse([UInt8](data))
        } catch {
            throw .configSyntax(file: path, line: error.line, column: error.column, message: error.message)
        }
        return try decode(json, file: path, baseFolder: folderPart(of: path) ?? "")
    }

    /// Validates a parsed config. Every key is checked; an unknown key, a wrong type or a
    /// value out of range is an error naming the key.
    public static func decode(_ json: JSONValue, file: String, baseFolder: String = "") throws(LearningError) -> Config {
        let r = ConfigReader(file: file)
        var c = Config()
        c.file = file
        let top = try r.object(json, path: "", allowed: ["data", "model", "training", "workers", "output"])
        func resolve(_ p: String) -> String {
            if p.hasPrefix("/") || baseFolder.isEmpty { return p }
            return ((baseFolder as NSString).appendingPathComponent(p) as NSString).standardizingPath
        }

        if let v = top["data"] {
            let d = try r.object(v, path: "data", allowed: [
                "train", "test", "label", "train_labels", "test_labels", "label_column", "test_fraction", "standardize", "synthetic",
                "weight", "train_weights", "format", "features",
            ])
            if let v = d["format"] { c.data.format = try r.choice(v, "data.format", DataFormat.self) }
            if let v = d["features"], v != .null {
                c.data.features = try r.integer(v, "data.features", min: 1, max: LIBSVMReader.maxIndex)
            }
            if let v = d["train"], v != .null { c.data.train = resolve(try r.string(v, "data.train", nonEmpty: true)) }
            if let v = d["test"], v != .null { c.data.test = resolve(try r.string(v, "data.test", nonEmpty: true)) }
            if let v = d["label"] { c.data.label = try r.string(v, "data.label", nonEmpty: true) }
            if let v = d["train_labels"], v != .null { c.data.trainLabels = resolve(try r.string(v, "data.train_labels", nonEmpty: true)) }
            if let v = d["test_labels"], v != .null { c.data.testLabels = resolve(try r.string(v, "data.test_labels", nonEmpty: true)) }
            if let v = d["label_column"], v != .null {
                c.data.labelColumn = try r.integer(v, "data.label_column", min: -1_000_000, max: 1_000_000)
            }
            for (key, path) in [("data.train", c.data.train), ("data.test", c.data.test)] {
                if let path, c.data.format.resolved(for: path) == .npy, c.data.labelColumn == nil,
                   (key == "data.train" ? c.data.trainLabels : c.data.testLabels) == nil {
                    throw .config(file: file, key: key == "data.train" ? "data.train_labels" : "data.test_labels",
                                  message: "missing: a .npy feature file needs a .npy labels file here, or data.label_column")
                }
            }
            if let v = d["test_fraction"] {
                c.data.testFraction = try r.number(v, "data.test_fraction", min: 0, max: 1, maxInclusive: false,
                                                   allowed: "a number in [0, 1)")
            }
            if let v = d["standardize"] { c.data.standardize = try r.bool(v, "data.standardize") }
            if let v = d["synthetic"] {
                let s = try r.object(v, path: "data.synthetic", allowed: ["shape", "samples", "features", "classes", "noise", "seed"])
                var spec = SyntheticSpec()
                if let v = s["shape"] { spec.shape = try r.choice(v, "data.synthetic.shape", SyntheticShape.self) }
                if let v = s["samples"] { spec.samples = try r.integer(v, "data.synthetic.samples", min: 2, max: 100_000_000) }
                if let v = s["features"] { spec.features = try r.integer(v, "data.synthetic.features", min: 1, max: 1_000_000) }
                if let v = s["classes"] { spec.classes = try r.integer(v, "data.synthetic.classes", min: 2, max: 100_000) }
                // Bounded so that the float32 features stay finite (a Gaussian draw times 1e30
                // is far below float32's 3.4e38); larger noise made every value infinite.
                if let v = s["noise"] {
                    spec.noise = try r.number(v, "data.synthetic.noise", min: 0, max: 1e30, allowed: "a number from 0 to 1e30")
                }
                if let v = s["seed"] { spec.seed = UInt64(try r.integer(v, "data.synthetic.seed", min: 0, max: Int(maxSeed))) }
                if spec.shape != .blobs && spec.features < 2 {
                    throw .config(file: file, key: "data.synthetic.features", message: "\"\(spec.shape.rawValue)\" needs at least 2 features")
                }
                if spec.shape == .xor && s["classes"] != nil && spec.classes != 2 {
                    throw .config(file: file, key: "data.synthetic.classes", message: "\"xor\" has 2 classes")
                }
                if spec.shape == .xor { spec.classes = 2 }
                if spec.classes > spec.samples {
                    throw .config(file: file, key: "data.synthetic.classes",
                                  message: "\(spec.classes) classes need at least as many samples (samples is \(spec.samples))")
                }
                c.data.synthetic = spec
            }
            if c.data.train != nil && c.data.synthetic != nil {
                throw .config(file: file, key: "data", message: "give either \"train\" or \"synthetic\", not both")
            }
            try decodeWeights(d, into: &c.data, r, resolve: resolve)
        }
        if c.data.train == nil && c.data.synthetic == nil {
            throw .config(file: file, key: "data.train", message: "missing: give a training CSV file or a \"synthetic\" data set")
        }

        if let v = top["model"] {
            let m = try r.object(v, path: "model", allowed: ["type", "hidden", "activation"])
            if let v = m["type"] { c.modelType = try r.choice(v, "model.type", ModelType.self) }
            for key in ["hidden", "activation"] where m[key] != nil && c.modelType != .mlp {
                throw .config(file: file, key: "model." + key, message: "only for \"type\": \"mlp\"")
            }
            if let v = m["hidden"] {
                guard case .array(let items) = v, !items.isEmpty, items.count <= 64 else {
                    throw .config(file: file, key: "model.hidden",
                                  message: "expected an array of 1 to 64 layer sizes, found \(v.kindName) \(v.jsonText)")
                }
                c.hidden = []
                for (i, item) in items.enumerated() {
                    c.hidden.append(try r.integer(item, "model.hidden[\(i)]", min: 1, max: 100_000))
                }
            }
            if let v = m["activation"] { c.activation = try r.choice(v, "model.activation", Activation.self) }
        }

        if let v = top["training"] {
            let t = try r.object(v, path: "training", allowed: [
                "batch_size", "epochs", "learning_rate", "eta0", "power_t", "penalty", "alpha", "l1_ratio", "tol",
                "n_iter_no_change", "shuffle", "seed", "optimizer", "momentum", "nesterov", "beta1", "beta2", "epsilon",
                "max_seconds", "early_stopping", "validation_fraction", "average",
                "class_weight",
            ])
            var o = TrainingOptions()
            if let v = t["batch_size"] { o.batchSize = try r.integer(v, "training.batch_size", min: 1, max: Int(Int32.max)) }
            if let v = t["epochs"] { o.epochs = try r.integer(v, "training.epochs", min: 1, max: 100_000_000) }
            if let v = t["learning_rate"] { o.learningRate = try r.choice(v, "training.learning_rate", LearningRateKind.self) }
            if let v = t["eta0"] {
                o.eta0 = try r.number(v, "training.eta0", min: 0, minInclusive: false, allowed: "a number > 0")
            }
            if let v = t["power_t"] { o.powerT = try r.number(v, "training.power_t", min: 0, allowed: "a number >= 0") }
            if let v = t["penalty"] { o.penalty = try r.choice(v, "training.penalty", Penalty.self) }
            if let v = t["l1_ratio"] {
                o.l1Ratio = try r.number(v, "training.l1_ratio", min: 0, max: 1, allowed: "a number in [0, 1]")
            }
            if let v = t["alpha"] { o.alpha = try r.number(v, "training.alpha", min: 0, allowed: "a number >= 0") }
            if let v = t["tol"] {
                o.tol = v == .null ? nil : try r.number(v, "training.tol", min: 0, allowed: "a number >= 0 or null")
            }
            if let v = t["n_iter_no_change"] { o.nIterNoChange = try r.integer(v, "training.n_iter_no_change", min: 1, max: 1_000_000) }
            if let v = t["shuffle"] { o.shuffle = try r.bool(v, "training.shuffle") }
            if let v = t["seed"] { o.seed = UInt64(try r.integer(v, "training.seed", min: 0, max: Int(maxSeed))) }
            if let v = t["optimizer"] { o.optimizer = try r.choice(v, "training.optimizer", OptimizerKind.self) }
            if let v = t["momentum"] {
                o.momentum = try r.number(v, "training.momentum", min: 0, max: 1, maxInclusive: false, allowed: "a number in [0, 1)")
            }
            if let v = t["nesterov"] { o.nesterov = try r.bool(v, "training.nesterov") }
            if let v = t["beta1"] {
                o.beta1 = try r.number(v, "training.beta1", min: 0, max: 1, maxInclusive: false, allowed: "a number in [0, 1)")
            }
            if let v = t["beta2"] {
                o.beta2 = try r.number(v, "training.beta2", min: 0, max: 1, maxInclusive: false, allowed: "a number in [0, 1)")
            }
            if let v = t["epsilon"] {
                o.epsilon = try r.number(v, "training.epsilon", min: 0, minInclusive: false, allowed: "a number > 0")
            }
            if let v = t["early_stopping"] { o.earlyStopping = try r.bool(v, "training.early_stopping") }
            if let v = t["validation_fraction"] {
                o.validationFraction = try r.number(v, "training.validation_fraction", min: 0, minInclusive: false, max: 1,
                                                    maxInclusive: false, allowed: "a number in (0, 1)")
            }
            if let v = t["average"] {
                if case .bool(let b) = v {
                    o.averageAfter = b ? 1 : nil
                } else {
                    o.averageAfter = try r.integer(v, "training.average", min: 1, max: Int(Int32.max))
                }
            }
            if let v = t["class_weight"] { o.classWeight = try ClassWeight.decode(v, r) }
            if let v = t["max_seconds"], v != .null {
                o.maxSeconds = try r.number(v, "training.max_seconds", min: 0, minInclusive: false, allowed: "a number > 0 or null")
            }
            // sgd's defaults (momentum 0, nesterov false) are allowed with adam: the resolved
            // config that model files store writes every key.
            if o.optimizer == .adam && (o.momentum != 0 || o.nesterov) {
                throw .config(file: file, key: "training.momentum",
                              message: "momentum and nesterov belong to \"sgd\"; adam uses beta1 and beta2")
            }
            if o.nesterov && !(o.momentum > 0) {
                throw .config(file: file, key: "training.nesterov", message: "nesterov needs momentum > 0")
            }
            if o.learningRate == .optimal && !(o.alpha > 0) {
                throw .config(file: file, key: "training.alpha",
                              message: "the \"optimal\" learning rate needs alpha > 0 (it is 1 / (alpha * (t0 + t)))")
            }
            c.training = o
        }

        if let v = top["workers"] { c.workers = try r.integer(v, "workers", min: 0, max: maxWorkers) }
        if let v = top["output"] {
            let o = try r.object(v, path: "output", allowed: ["dir"])
            if let v = o["dir"], v != .null { c.outputDir = resolve(try r.string(v, "output.dir", nonEmpty: true)) }
        }
        try checkFormat(c, r)
        return c
    }
}

extension Config {
    /// Reads `data.weight` (a CSV column) and `data.train_weights` (a `.npy` file): each only
    /// for its kind of training data, the weight column neither the label nor empty.
    static func decodeWeights(_ d: [String: JSONValue], into data: inout DataConfig, _ r: ConfigReader,
                              resolve: (String) -> String) throws(LearningError) {
        let npyTrain = data.trainFormat == .npy
        if let v = d["weight"], v != .null {
            let name = try r.string(v, "data.weight", nonEmpty: true)
            if data.synthetic != nil { throw r.fail("data.weight", "synthetic data has no weight column") }
            if npyTrain {
                throw r.fail("data.weight", "names a CSV column; for .npy training data give data.train_weights (a 1-D .npy file)")
            }
            if name == data.label { throw r.fail("data.weight", "'\(name)' is the label column (data.label)") }
            data.weight = name
        }
        if let v = d["train_weights"], v != .null {
            let path = resolve(try r.string(v, "data.train_weights", nonEmpty: true))
            if !npyTrain && !data.isSparse {
                throw r.fail("data.train_weights",
                              "only for .npy training data (or LIBSVM); for a CSV file name its weight column in data.weight")
            }
            data.trainWeights = path
        }
    }
}

/// Checks the kind and range of config values and names the key when one is wrong.
struct ConfigReader {
    let file: String

    func fail(_ key: String, _ message: String) -> LearningError {
        .config(file: file, key: key.isEmpty ? "(top level)" : key, message: message)
    }

    func object(_ v: JSONValue, path: String, allowed: [String]) throws(LearningError) -> [String: JSONValue] {
        guard case .object(let members) = v else {
            throw fail(path, "expected an object, found \(v.kindName)")
        }
        var out: [String: JSONValue] = [:]
        for (k, value) in members {
            let full = path.isEmpty ? k : path + "." + k
            guard allowed.contains(k) else {
                throw fail(full, "unknown key; allowed here: " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            out[k] = value
        }
        return out
    }

    func string(_ v: JSONValue, _ key: String, nonEmpty: Bool = false) throws(LearningError) -> String {
        guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v.kindName) \(v.jsonText)") }
        if nonEmpty && s.isEmpty { throw fail(key, "must not be empty") }
        return s
    }

    func bool(_ v: JSONValue, _ key: String) throws(LearningError) -> Bool {
        guard case .bool(let b) = v else { throw fail(key, "expected true or false, found \(v.kindName) \(v.jsonText)") }
        return b
    }

    func number(_ v: JSONValue, _ key: String, min: Double, minInclusive: Bool = true,
                max: Double = .infinity, maxInclusive: Bool = true, allowed: String) throws(LearningError) -> Double {
        guard case .number(let d) = v else { throw fail(key, "expected \(allowed), found \(v.kindName) \(v.jsonText)") }
        let aboveMin = minInclusive ? d >= min : d > min
        let belowMax = maxInclusive ? d <= max : d < max
        guard aboveMin && belowMax else { throw fail(key, "\(v.jsonText) is out of range; allowed: \(allowed)") }
        return d
    }

    func integer(_ v: JSONValue, _ key: String, min: Int, max: Int) throws(LearningError) -> Int {
        let allowed = "an integer from \(min) to \(max)"
        guard case .number(let d) = v else { throw fail(key, "expected \(allowed), found \(v.kindName) \(v.jsonText)") }
        guard d == d.rounded() else { throw fail(key, "\(v.jsonText) is not a whole number; allowed: \(allowed)") }
        guard d >= Double(min) && d <= Double(max) else { throw fail(key, "\(v.jsonText) is out of range; allowed: \(allowed)") }
        return Int(d)
    }

    func choice<E: RawRepresentable & CaseIterable>(_ v: JSONValue, _ key: String, _ type: E.Type) throws(LearningError) -> E
    where E.RawValue == String {
        let names = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let s) = v else { throw fail(key, "expected one of \(names), found \(v.kindName) \(v.jsonText)") }
        guard let e = E(rawValue: s) else { throw fail(key, "\"\(s)\" is not allowed; allowed: \(names)") }
        return e
    }
}
