extension Config {
    /// Checks a whole config: the range of every value, and every rule that ties keys
    /// together (adam without momentum, synthetic data or a training file, a `.npy` file and
    /// its labels, the options LIBSVM data refuses, ...). The first mistake found is thrown as
    /// ``LearningError/config(file:key:message:)`` naming its key, with the message a config
    /// file with that value gets: ``decode(_:file:baseFolder:)`` ends with this check. Call it
    /// on a config built or changed in code (a point of a hyper-parameter grid, a benchmark)
    /// before training with it.
    public func validate() throws(LearningError) {
        let r = ConfigReader(file: file)
        try data.validate(r)
        try validateModel(r)
        try training.validate(r)
        try r.check(workers, "workers", ConfigLimits.workers)
        if let outputDir { try r.checkNotEmpty(outputDir, "output.dir") }
        try checkFormat(r)
    }

    /// The checks of what trains rows already in memory, the model and the training options
    /// (``fit(_:data:pool:from:resume:control:combiner:onEpoch:)`` runs these; the data keys
    /// name files it never reads).
    public func validateTraining() throws(LearningError) {
        let r = ConfigReader(file: file)
        try validateModel(r)
        try training.validate(r)
    }

    /// An "mlp"'s hidden layer sizes (other models have none, whatever `hidden` holds).
    func validateModel(_ r: ConfigReader) throws(LearningError) {
        guard modelType == .mlp else { return }
        let layers = ConfigLimits.hiddenLayers
        guard layers.contains(hidden.count) else {
            throw r.fail("model.hidden",
                         "expected \(layers.lowerBound) to \(layers.upperBound) layer sizes, found \(hidden.count)")
        }
        for (i, size) in hidden.enumerated() { try r.check(size, "model.hidden[\(i)]", ConfigLimits.layerSize) }
    }

    /// The checks of `data.format`, `data.features` and the `.npy` label keys, and of the
    /// options the sparse path (LIBSVM training data) cannot honour without O(d) work per step
    /// or a dense copy: each is a config error naming its key.
    func checkFormat(_ r: ConfigReader) throws(LearningError) {
        let d = data
        let sparse = d.isSparse
        if let test = d.test, d.train != nil {
            let testFormat = d.format.resolved(for: test)
            if sparse && testFormat != .libsvm {
                throw r.fail("data.test", "the training data is LIBSVM, so the test file must be too (a .svm, .libsvm or "
                    + ".svmlight file, or set data.format to \"libsvm\")")
            }
            if !sparse && testFormat == .libsvm {
                throw r.fail("data.test", "a LIBSVM test file needs LIBSVM training data (data.train is \(d.trainFormat.rawValue))")
            }
        }
        if d.features != nil && !sparse {
            throw r.fail("data.features", "only for LIBSVM training data (other formats have their feature count in the file)")
        }
        if !sparse {
            try Self.checkDenseOptions(training, r)
            // The .npy label keys would be ignored for other data, and another column than the
            // one meant would silently be the label.
            let npyTrain = d.train != nil && d.trainFormat == .npy
            let npyTest = d.test.map { d.format.resolved(for: $0) == .npy } ?? false
            if d.trainLabels != nil && !npyTrain {
                throw r.fail("data.train_labels", "only for .npy training data; a CSV file's labels are its data.label column")
            }
            if d.testLabels != nil && !npyTest {
                throw r.fail("data.test_labels", "only for a .npy test file (data.test); a CSV file's labels are its data.label column")
            }
            if d.labelColumn != nil && !npyTrain && !npyTest {
                throw r.fail("data.label_column", "only for .npy data; a CSV file's label column is named by data.label")
            }
            return
        }
        for (key, given) in [("data.label_column", d.labelColumn != nil), ("data.train_labels", d.trainLabels != nil),
                             ("data.test_labels", d.testLabels != nil)] where given {
            throw r.fail(key, "only for .npy data; a LIBSVM row starts with its label")
        }
        if d.weight != nil {
            throw r.fail("data.weight", "LIBSVM rows have no weight column; give per-row weights in data.train_weights (a 1-D .npy file)")
        }
        if modelType == .mlp {
            throw r.fail("model.type", "\"mlp\" cannot train on LIBSVM data: the sparse path trains linear models only "
                + "(\"softmax\", \"logistic\" or \"auto\")")
        }
        try Self.checkSparseOptions(training, r)
    }

    /// The training options the sparse path rejects because each would change every weight at
    /// every step: adam, momentum and averaging (momentum with adagrad or ftrl, which have
    /// none, is refused too). sgd, adagrad and ftrl are allowed.
    static func checkSparseOptions(_ t: TrainingOptions, _ r: ConfigReader) throws(LearningError) {
        if t.optimizer == .adam {
            throw r.fail("training.optimizer", "\"adam\" is not available for LIBSVM data: its moments "
                + "change every weight at every step (O(features) work); use \"adagrad\", \"ftrl\" or \"sgd\"")
        }
        if t.optimizer.isSparseOnly && t.momentum != 0 {
            throw r.fail("training.momentum", "must be 0 with \"\(t.optimizer.rawValue)\" (it has no momentum)")
        }
        if t.momentum != 0 {
            throw r.fail("training.momentum", "must be 0 for LIBSVM data: the velocity changes every weight at every step "
                + "(O(features) work)")
        }
        if t.averageAfter != nil {
            throw r.fail("training.average", "is not available for LIBSVM data: the running mean changes every weight at "
                + "every step (O(features) work)")
        }
    }
}

extension Config {
    /// The options only the sparse path has, refused for dense rows (CSV, .npy, synthetic
    /// data, an mlp): "adagrad" and "ftrl" keep per-coordinate state that pays off on sparse
    /// features; on dense rows use "adam" or "sgd".
    static func checkDenseOptions(_ t: TrainingOptions, _ r: ConfigReader) throws(LearningError) {
        if t.optimizer.isSparseOnly {
            throw r.fail("training.optimizer", "\"\(t.optimizer.rawValue)\" is for LIBSVM (sparse) data only; "
                + "for dense data (CSV, .npy, synthetic) use \"sgd\" or \"adam\"")
        }
    }
}

extension DataConfig {
    /// The `data` section's values, and the rules between its keys: exactly one of `train`
    /// and `synthetic`, labels for `.npy` features, weights that fit the kind of data.
    func validate(_ r: ConfigReader) throws(LearningError) {
        for (key, path) in [("data.train", train), ("data.test", test), ("data.train_labels", trainLabels),
                            ("data.test_labels", testLabels)] {
            if let path { try r.checkNotEmpty(path, key) }
        }
        try r.checkNotEmpty(label, "data.label")
        if let features { try r.check(features, "data.features", ConfigLimits.features) }
        if let labelColumn { try r.check(labelColumn, "data.label_column", ConfigLimits.labelColumn) }
        try r.check(testFraction, "data.test_fraction", ConfigLimits.testFraction)
        for (key, path, labels) in [("data.train_labels", train, trainLabels), ("data.test_labels", test, testLabels)] {
            if let path, format.resolved(for: path) == .npy, labelColumn == nil, labels == nil {
                throw r.fail(key, "missing: a .npy feature file needs a .npy labels file here, or data.label_column")
            }
        }
        if let synthetic { try synthetic.validate(r) }
        if train != nil && synthetic != nil {
            throw r.fail("data", "give either \"train\" or \"synthetic\", not both")
        }
        try validateWeights(r)
        try validateColumns(r)
        if train == nil && synthetic == nil {
            throw r.fail("data.train", "missing: give a training CSV file or a \"synthetic\" data set")
        }
    }

    /// `weight` (a CSV column) and `trainWeights` (a `.npy` file): each only for its kind of
    /// training data, the weight column neither the label nor empty.
    func validateWeights(_ r: ConfigReader) throws(LearningError) {
        let npyTrain = trainFormat == .npy
        if let weight {
            try r.checkNotEmpty(weight, "data.weight")
            if synthetic != nil { throw r.fail("data.weight", "synthetic data has no weight column") }
            if npyTrain {
                throw r.fail("data.weight", "names a CSV column; for .npy training data give data.train_weights (a 1-D .npy file)")
            }
            if weight == label { throw r.fail("data.weight", "'\(weight)' is the label column (data.label)") }
        }
        if let trainWeights {
            try r.checkNotEmpty(trainWeights, "data.train_weights")
            if !npyTrain && !isSparse {
                throw r.fail("data.train_weights",
                             "only for .npy training data (or LIBSVM); for a CSV file name its weight column in data.weight")
            }
        }
    }
}

extension DataConfig {
    /// `ignore`, `categorical`, `missing` and `missing_indicator`: CSV training data only (a
    /// `.npy` or LIBSVM file has numbers only and no column names), neither the label nor the
    /// weight column, no column both ignored and categorical, an indicator only with imputation.
    func validateColumns(_ r: ConfigReader) throws(LearningError) {
        if missingIndicator && missing == .error {
            throw r.fail("data.missing_indicator", "needs imputation: set data.missing to \"mean\", \"median\" or \"most_frequent\"")
        }
        guard preprocessesColumns else { return }
        let key = !ignore.isEmpty ? "data.ignore" : categorical != .none ? "data.categorical" : "data.missing"
        if synthetic != nil { throw r.fail(key, "only for CSV training data (synthetic data has numeric features only)") }
        for path in [train, test].compactMap({ $0 }) where format.resolved(for: path) != .csv {
            throw r.fail(key, "only for CSV data: '\(path)' is \(format.resolved(for: path).rawValue), "
                + "whose columns are all numbers without names")
        }
        for column in [label] + (weight.map { [$0] } ?? []) {
            let what = column == label ? "the label column (data.label)" : "the weight column (data.weight)"
            if ignore.contains(column) { throw r.fail("data.ignore", "'\(column)' is \(what)") }
            if case .named(let names) = categorical, names.contains(column) {
                throw r.fail("data.categorical", "'\(column)' is \(what)")
            }
        }
        if case .named(let names) = categorical, let both = names.first(where: { ignore.contains($0) }) {
            throw r.fail("data.categorical", "'\(both)' is also in data.ignore; a column is either left out or encoded")
        }
    }
}

extension SyntheticSpec {
    /// The sizes, noise and seed, and the shape's needs: 2 features for "rings" and "xor",
    /// 2 classes for "xor", at least one sample per class.
    func validate(_ r: ConfigReader) throws(LearningError) {
        try r.check(samples, "data.synthetic.samples", ConfigLimits.syntheticSamples)
        try r.check(features, "data.synthetic.features", ConfigLimits.syntheticFeatures)
        try r.check(classes, "data.synthetic.classes", ConfigLimits.syntheticClasses)
        try r.check(noise, "data.synthetic.noise", ConfigLimits.noise)
        try r.check(seed, "data.synthetic.seed", ConfigLimits.seed)
        if shape != .blobs && features < 2 {
            throw r.fail("data.synthetic.features", "\"\(shape.rawValue)\" needs at least 2 features")
        }
        if shape == .xor && classes != 2 { throw r.fail("data.synthetic.classes", "\"xor\" has 2 classes") }
        if classes > samples {
            throw r.fail("data.synthetic.classes", "\(classes) classes need at least as many samples (samples is \(samples))")
        }
    }
}

extension TrainingOptions {
    /// Checks the range of every option and the options that need or exclude each other:
    /// nesterov needs momentum, the "optimal" rate needs alpha > 0. A key the options never
    /// read is not an error but a warning (``Config/unreadSettings()``).
    /// ``Config/validate()`` runs it; call it on options built in code for a ``Trainer``.
    /// - Parameter file: the file an error names.
    /// - Throws: ``LearningError/config(file:key:message:)`` naming the key, e.g. `training.eta0`.
    public func validate(file: String = "<training options>") throws(LearningError) {
        try validate(ConfigReader(file: file))
    }

    func validate(_ r: ConfigReader) throws(LearningError) {
        try r.check(batchSize, "training.batch_size", ConfigLimits.batchSize)
        try r.check(epochs, "training.epochs", ConfigLimits.epochs)
        try r.check(eta0, "training.eta0", ConfigLimits.eta0)
        try r.check(powerT, "training.power_t", ConfigLimits.powerT)
        try r.check(l1Ratio, "training.l1_ratio", ConfigLimits.l1Ratio)
        try r.check(alpha, "training.alpha", ConfigLimits.alpha)
        if let tol { try r.check(tol, "training.tol", ConfigLimits.tol) }
        try r.check(nIterNoChange, "training.n_iter_no_change", ConfigLimits.nIterNoChange)
        try r.check(seed, "training.seed", ConfigLimits.seed)
        try r.check(momentum, "training.momentum", ConfigLimits.momentum)
        try r.check(beta1, "training.beta1", ConfigLimits.beta)
        try r.check(beta2, "training.beta2", ConfigLimits.beta)
        try r.check(epsilon, "training.epsilon", ConfigLimits.epsilon)
        try r.check(ftrlBeta, "training.ftrl_beta", ConfigLimits.ftrlBeta)
        try r.check(validationFraction, "training.validation_fraction", ConfigLimits.validationFraction)
        if let averageAfter { try r.check(averageAfter, "training.average", ConfigLimits.average) }
        if case .given(let entries) = classWeight {
            for e in entries { try r.check(e.weight, "training.class_weight." + e.label, ConfigLimits.classWeight) }
        }
        if let maxSeconds { try r.check(maxSeconds, "training.max_seconds", ConfigLimits.maxSeconds) }
        // momentum and nesterov with adam are not read: a warning (see unreadSettings).
        if optimizer == .sgd && nesterov && !(momentum > 0) { throw r.fail("training.nesterov", "nesterov needs momentum > 0") }
        if learningRate == .optimal && !(alpha > 0) {
            throw r.fail("training.alpha", "the \"optimal\" learning rate needs alpha > 0 (it is 1 / (alpha * (t0 + t)))")
        }
    }
}

extension Config {
    /// One warning per key whose value the chosen settings never read, and which differs from
    /// its default for what is trained (``TrainingOptions/defaults(for:optimizer:momentum:)``):
    /// such a value was set on purpose and silently does nothing. A default value is never
    /// named, so the full config that `--print-config` writes (every key present) reads back
    /// without a warning. Each line names the key, its value and why it is not read.
    ///
    /// Unread keys are warnings, never errors, so that a config stays usable while its
    /// learning rate or optimizer is switched back and forth (and a search grid over them runs).
    public func unreadSettings() -> [String] {
        let t = training
        let d = TrainingOptions.defaults(for: modelType, optimizer: t.optimizer, momentum: t.momentum, sparse: data.isSparse)
        var out: [String] = []
        func unread(_ key: String, _ value: String, _ why: String) {
            out.append("training.\(key) = \(value) is not read: \(why)")
        }
        func text(_ x: Double) -> String { JSONValue.number(x).jsonText }
        if t.learningRate == .optimal && t.eta0 != d.eta0 {
            unread("eta0", text(t.eta0), "the \"optimal\" learning rate is 1 / (alpha (t0 + t)); "
                + "set learning_rate to \"constant\", \"invscaling\" or \"adaptive\" to use eta0")
        }
        if t.learningRate != .invscaling && t.powerT != d.powerT {
            unread("power_t", text(t.powerT), "only the \"invscaling\" learning rate uses it "
                + "(learning_rate is \"\(t.learningRate.rawValue)\")")
        }
        if t.optimizer != .sgd {
            if t.momentum != 0 { unread("momentum", text(t.momentum), "\(t.optimizer.rawValue) has no momentum") }
            if t.nesterov { unread("nesterov", "true", "\(t.optimizer.rawValue) has no momentum") }
        }
        let readers: [(key: String, value: Double, base: Double, by: [OptimizerKind])] = [
            ("beta1", t.beta1, d.beta1, [.adam]), ("beta2", t.beta2, d.beta2, [.adam]),
            ("epsilon", t.epsilon, d.epsilon, [.adam, .adagrad]), ("ftrl_beta", t.ftrlBeta, d.ftrlBeta, [.ftrl]),
        ]
        for (key, value, base, by) in readers where value != base && !by.contains(t.optimizer) {
            let names = by.map { "\"\($0.rawValue)\"" }.joined(separator: " and ")
            unread(key, text(value), "only the \(names) optimizer\(by.count > 1 ? "s use" : " uses") it "
                + "(optimizer is \"\(t.optimizer.rawValue)\")")
        }
        if t.penalty != .elasticnet && t.l1Ratio != d.l1Ratio {
            unread("l1_ratio", text(t.l1Ratio), "only the \"elasticnet\" penalty uses it (penalty is \"\(t.penalty.rawValue)\")")
        }
        if t.penalty == .none && t.learningRate != .optimal && t.alpha != d.alpha {
            unread("alpha", text(t.alpha), "penalty is \"none\" and the learning rate is not \"optimal\"")
        }
        if !t.earlyStopping && t.validationFraction != d.validationFraction {
            unread("validation_fraction", text(t.validationFraction), "only early_stopping holds out a validation set")
        }
        return out
    }
}
