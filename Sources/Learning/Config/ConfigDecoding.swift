import Foundation

extension Config {
    /// Reads and validates a config file. Relative paths inside it are resolved against
    /// the file's folder and normalised (``normalizedPath(_:)``: "configs/../runs/x" is
    /// "runs/x").
    public static func load(path: String) throws(LearningError) -> Config {
        try decode(try readJSON(path: path), file: path, baseFolder: folderPart(of: path) ?? "")
    }

    /// A config file's JSON, read and parsed (errors name the file, and the line and column).
    static func readJSON(path: String) throws(LearningError) -> JSONValue {
        try InputFile.checkKind(path) { .data(file: path, line: nil, message: $0) }
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
        return json
    }

    /// Reads and validates a parsed config. Every key is checked; an unknown key, a wrong type
    /// or a value out of range is an error naming the key. The checks that tie keys together
    /// come last, from ``validate()``, the same as for a config built in code.
    public static func decode(_ json: JSONValue, file: String, baseFolder: String = "") throws(LearningError) -> Config {
        let r = ConfigReader(file: file)
        var c = Config()
        c.file = file
        let top = try r.object(json, path: "", allowed: ["data", "model", "training", "workers", "output"])
        func resolve(_ p: String) -> String {
            if p.hasPrefix("/") || baseFolder.isEmpty { return p }
            return normalizedPath(baseFolder + "/" + p)
        }

        if let v = top["data"] {
            let d = try r.object(v, path: "data", allowed: [
                "train", "test", "label", "train_labels", "test_labels", "label_column", "test_fraction", "standardize", "synthetic",
                "weight", "train_weights", "format", "features", "ignore", "categorical", "missing", "missing_indicator",
            ])
            if let v = d["ignore"] { c.data.ignore = try r.strings(v, "data.ignore") }
            if let v = d["categorical"] {
                if case .string(let s) = v {
                    guard s == "auto" else {
                        throw r.fail("data.categorical", "expected \"auto\" or an array of column names, found \"\(s)\"")
                    }
                    c.data.categorical = .auto
                } else if v == .null {
                    c.data.categorical = .none
                } else {
                    let names = try r.strings(v, "data.categorical")
                    c.data.categorical = names.isEmpty ? .none : .named(names)
                }
            }
            if let v = d["missing"] { c.data.missing = try r.choice(v, "data.missing", MissingValues.self) }
            if let v = d["missing_indicator"] { c.data.missingIndicator = try r.bool(v, "data.missing_indicator") }
            if let v = d["format"] { c.data.format = try r.choice(v, "data.format", DataFormat.self) }
            if let v = d["features"], v != .null {
                c.data.features = try r.integer(v, "data.features", ConfigLimits.features)
            }
            if let v = d["train"], v != .null { c.data.train = resolve(try r.string(v, "data.train", nonEmpty: true)) }
            if let v = d["test"], v != .null { c.data.test = resolve(try r.string(v, "data.test", nonEmpty: true)) }
            if let v = d["label"] { c.data.label = try r.string(v, "data.label", nonEmpty: true) }
            if let v = d["train_labels"], v != .null { c.data.trainLabels = resolve(try r.string(v, "data.train_labels", nonEmpty: true)) }
            if let v = d["test_labels"], v != .null { c.data.testLabels = resolve(try r.string(v, "data.test_labels", nonEmpty: true)) }
            if let v = d["label_column"], v != .null {
                c.data.labelColumn = try r.integer(v, "data.label_column", ConfigLimits.labelColumn)
            }
            if let v = d["test_fraction"] {
                c.data.testFraction = try r.number(v, "data.test_fraction", ConfigLimits.testFraction)
            }
            if let v = d["standardize"] { c.data.standardize = try r.bool(v, "data.standardize") }
            if let v = d["synthetic"] {
                let s = try r.object(v, path: "data.synthetic", allowed: ["shape", "samples", "features", "classes", "noise", "seed"])
                var spec = SyntheticSpec()
                if let v = s["shape"] { spec.shape = try r.choice(v, "data.synthetic.shape", SyntheticShape.self) }
                if let v = s["samples"] { spec.samples = try r.integer(v, "data.synthetic.samples", ConfigLimits.syntheticSamples) }
                if let v = s["features"] { spec.features = try r.integer(v, "data.synthetic.features", ConfigLimits.syntheticFeatures) }
                if let v = s["classes"] { spec.classes = try r.integer(v, "data.synthetic.classes", ConfigLimits.syntheticClasses) }
                if let v = s["noise"] { spec.noise = try r.number(v, "data.synthetic.noise", ConfigLimits.noise) }
                if let v = s["seed"] { spec.seed = UInt64(try r.integer(v, "data.synthetic.seed", ConfigLimits.seed)) }
                // "xor" has 2 classes; a "classes" key that says otherwise is left for validate().
                if spec.shape == .xor && s["classes"] == nil { spec.classes = 2 }
                c.data.synthetic = spec
            }
            if let v = d["weight"], v != .null { c.data.weight = try r.string(v, "data.weight", nonEmpty: true) }
            if let v = d["train_weights"], v != .null {
                c.data.trainWeights = resolve(try r.string(v, "data.train_weights", nonEmpty: true))
            }
        }

        if let v = top["model"] {
            let m = try r.object(v, path: "model", allowed: ["type", "hidden", "activation"])
            if let v = m["type"] { c.modelType = try r.choice(v, "model.type", ModelType.self) }
            for key in ["hidden", "activation"] where m[key] != nil && c.modelType != .mlp {
                throw .config(file: file, key: "model." + key, message: "only for \"type\": \"mlp\"")
            }
            if let v = m["hidden"] {
                let layers = ConfigLimits.hiddenLayers
                guard case .array(let items) = v, layers.contains(items.count) else {
                    throw r.fail("model.hidden", "expected an array of \(layers.lowerBound) to \(layers.upperBound) layer sizes, "
                        + "found \(v.kindName) \(v.jsonText)")
                }
                c.hidden = []
                for (i, item) in items.enumerated() {
                    c.hidden.append(try r.integer(item, "model.hidden[\(i)]", ConfigLimits.layerSize))
                }
            }
            if let v = m["activation"] { c.activation = try r.choice(v, "model.activation", Activation.self) }
        }

        // LIBSVM data is not standardised unless asked (see docs/sparse.md), and trains with
        // the sparse defaults of TrainingOptions.defaults.
        let sparse = c.data.isSparse
        if sparse && top["data"]?["standardize"] == nil { c.data.standardize = false }
        c.training = TrainingOptions.defaults(for: c.modelType, sparse: sparse)
        if let v = top["training"] {
            let t = try r.object(v, path: "training", allowed: [
                "batch_size", "epochs", "learning_rate", "eta0", "power_t", "penalty", "alpha", "l1_ratio", "tol",
                "n_iter_no_change", "shuffle", "seed", "optimizer", "momentum", "nesterov", "beta1", "beta2", "epsilon",
                "ftrl_beta",                 "max_seconds", "early_stopping", "validation_fraction", "average",
                "class_weight",
            ])
            // The keys it leaves out take the defaults of what it trains (the model type, the
            // optimizer and momentum; see TrainingOptions.defaults).
            let optimizer = try t["optimizer"].map { v throws(LearningError) in
                try r.choice(v, "training.optimizer", OptimizerKind.self)
            }
            let momentum = try t["momentum"].map { v throws(LearningError) in
                try r.number(v, "training.momentum", ConfigLimits.momentum)
            }
            var o = TrainingOptions.defaults(for: c.modelType, optimizer: optimizer, momentum: momentum ?? 0, sparse: sparse)
            if let v = t["batch_size"] { o.batchSize = try r.integer(v, "training.batch_size", ConfigLimits.batchSize) }
            if let v = t["epochs"] { o.epochs = try r.integer(v, "training.epochs", ConfigLimits.epochs) }
            if let v = t["learning_rate"] { o.learningRate = try r.choice(v, "training.learning_rate", LearningRateKind.self) }
            if let v = t["eta0"] { o.eta0 = try r.number(v, "training.eta0", ConfigLimits.eta0) }
            if let v = t["power_t"] { o.powerT = try r.number(v, "training.power_t", ConfigLimits.powerT) }
            if let v = t["penalty"] { o.penalty = try r.choice(v, "training.penalty", Penalty.self) }
            if let v = t["l1_ratio"] { o.l1Ratio = try r.number(v, "training.l1_ratio", ConfigLimits.l1Ratio) }
            if let v = t["alpha"] { o.alpha = try r.number(v, "training.alpha", ConfigLimits.alpha) }
            if let v = t["tol"] { o.tol = v == .null ? nil : try r.number(v, "training.tol", ConfigLimits.tol) }
            if let v = t["n_iter_no_change"] {
                o.nIterNoChange = try r.integer(v, "training.n_iter_no_change", ConfigLimits.nIterNoChange)
            }
            if let v = t["shuffle"] { o.shuffle = try r.bool(v, "training.shuffle") }
            if let v = t["seed"] { o.seed = UInt64(try r.integer(v, "training.seed", ConfigLimits.seed)) }
            if let v = t["optimizer"] { o.optimizer = try r.choice(v, "training.optimizer", OptimizerKind.self) }
            if let v = t["momentum"] { o.momentum = try r.number(v, "training.momentum", ConfigLimits.momentum) }
            if let v = t["nesterov"] { o.nesterov = try r.bool(v, "training.nesterov") }
            if let v = t["beta1"] { o.beta1 = try r.number(v, "training.beta1", ConfigLimits.beta) }
            if let v = t["beta2"] { o.beta2 = try r.number(v, "training.beta2", ConfigLimits.beta) }
            if let v = t["epsilon"] { o.epsilon = try r.number(v, "training.epsilon", ConfigLimits.epsilon) }
            if let v = t["ftrl_beta"] { o.ftrlBeta = try r.number(v, "training.ftrl_beta", ConfigLimits.ftrlBeta) }
            if let v = t["early_stopping"] { o.earlyStopping = try r.bool(v, "training.early_stopping") }
            if let v = t["validation_fraction"] {
                o.validationFraction = try r.number(v, "training.validation_fraction", ConfigLimits.validationFraction)
            }
            if let v = t["average"] {
                if case .bool(let b) = v {
                    o.averageAfter = b ? 1 : nil
                } else {
                    o.averageAfter = try r.integer(v, "training.average", ConfigLimits.average)
                }
            }
            if let v = t["class_weight"] { o.classWeight = try ClassWeight.decode(v, r) }
            if let v = t["max_seconds"], v != .null {
                o.maxSeconds = try r.number(v, "training.max_seconds", ConfigLimits.maxSeconds)
            }
            c.training = o
        }

        if let v = top["workers"] { c.workers = try r.integer(v, "workers", ConfigLimits.workers) }
        if let v = top["output"] {
            let o = try r.object(v, path: "output", allowed: ["dir"])
            if let v = o["dir"], v != .null { c.outputDir = resolve(try r.string(v, "output.dir", nonEmpty: true)) }
        }
        try c.validate()
        return c
    }
}
