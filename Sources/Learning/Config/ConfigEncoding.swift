extension Config {
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
            ("ignore", .array(self.data.ignore.map { .string($0) })),
            ("categorical", self.data.categorical.jsonValue),
            ("missing", .string(self.data.missing.rawValue)),
            ("missing_indicator", .bool(self.data.missingIndicator)),
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
                ("ftrl_beta", .number(t.ftrlBeta)),
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

extension CategoricalColumns {
    /// `null`, `"auto"` or the array of names, as a config writes it.
    var jsonValue: JSONValue {
        switch self {
        case .none: .null
        case .auto: .string("auto")
        case .named(let names): .array(names.map { .string($0) })
        }
    }
}
