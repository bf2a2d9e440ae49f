/// The config section of a training report: the keys that the run's settings use, each with
/// its value and whether that is minibatch's default. Keys the chosen settings ignore are left
/// out: beta1 and beta2 unless the optimizer is adam, epsilon unless it is adam or adagrad,
/// ftrl_beta unless it is ftrl; momentum unless it is sgd, and
/// nesterov unless there is momentum; l1_ratio unless the penalty is elasticnet; power_t unless
/// the schedule is invscaling; eta0 with the optimal schedule (which does not read it); alpha
/// with no penalty and a schedule other than optimal; n_iter_no_change when nothing checks
/// progress (tol null, no early stopping, not adaptive); validation_fraction without early
/// stopping; test_fraction with a test file; data.label and the column keys (ignore,
/// categorical, missing) unless the data is CSV, missing_indicator unless missing fills
/// cells; the .npy keys unless it is .npy; data.features unless it is LIBSVM; and optional
/// keys left null. "Default" is judged against the defaults of the config's model, optimizer
/// and kind of data (an mlp's adam at 0.001 is its default; LIBSVM data's is adagrad, unstandardised).
struct ConfigKeysUsed {
    struct Row: Equatable {
        var key: String
        var value: JSONValue
        var isDefault: Bool
    }

    /// Tables by top-level section (data, model, training), then "other" (workers, output).
    var groups: [(title: String, rows: [Row])]

    /// - Parameters: config, the resolved config stored in model.json; outputFolder, the
    ///   folder the run wrote to (shown as output.dir when the config left it null).
    init(config: JSONValue, outputFolder: String?) {
        let defaults = Self.flattened(Self.defaults(like: config).jsonValue)
        var byGroup: [(title: String, rows: [Row])] = []
        var other: [Row] = []
        for (key, value) in Self.flattened(config) {
            var value = value
            if key == "output.dir", value == .null, let outputFolder { value = .string(outputFolder) }
            guard Self.isUsed(key, value: value, in: config) else { continue }
            let isDefault = defaults.first { $0.key == key }.map { $0.value == value } ?? false
                || (key == "output.dir" && config["output"]?["dir"] == .null)
            let row = Row(key: key, value: value, isDefault: isDefault)
            guard let dot = key.firstIndex(of: ".") else {
                other.append(row)
                continue
            }
            let title = String(key[..<dot])
            if let i = byGroup.firstIndex(where: { $0.title == title }) { byGroup[i].rows.append(row) } else { byGroup.append((title, [row])) }
        }
        if !other.isEmpty { byGroup.append(("other", other)) }
        groups = byGroup
    }

    /// The default config for the model and optimizer `config` names: the training defaults
    /// depend on them (``TrainingOptions/defaults(for:optimizer:momentum:)``: an mlp trains
    /// with adam at 0.001), while the optimizer's own default depends on the model only.
    static func defaults(like config: JSONValue) -> Config {
        var base = Config()
        guard case .string(let name)? = config["model"]?["type"], let type = ModelType(rawValue: name) else { return base }
        var optimizer: OptimizerKind? = nil
        if case .string(let o)? = config["training"]?["optimizer"] { optimizer = OptimizerKind(rawValue: o) }
        var momentum = 0.0
        if case .number(let m)? = config["training"]?["momentum"] { momentum = m }
        var sparse = false
        if case .string(let train)? = config["data"]?["train"] {
            var format = DataFormat.auto
            if case .string(let f)? = config["data"]?["format"] { format = DataFormat(rawValue: f) ?? .auto }
            sparse = format.resolved(for: train) == .libsvm
        }
        base.modelType = type
        base.training = TrainingOptions.defaults(for: type, optimizer: optimizer, momentum: momentum, sparse: sparse)
        base.training.optimizer = TrainingOptions.defaults(for: type, sparse: sparse).optimizer
        if sparse { base.data.standardize = false }
        return base
    }

    /// Every leaf of nested objects, keys joined by dots, in order.
    static func flattened(_ v: JSONValue, prefix: String = "") -> [(key: String, value: JSONValue)] {
        if case .object(let members) = v, !members.isEmpty {
            return members.flatMap { flattened($0.value, prefix: prefix.isEmpty ? $0.key : prefix + "." + $0.key) }
        }
        return prefix.isEmpty ? [] : [(prefix, v)]
    }

    /// Whether the run's settings read `key` (see the type's comment).
    static func isUsed(_ key: String, value: JSONValue, in config: JSONValue) -> Bool {
        func text(_ section: String, _ name: String) -> String? {
            if case .string(let s)? = config[section]?[name] { return s }
            return nil
        }
        func isTrue(_ section: String, _ name: String) -> Bool { config[section]?[name] == .bool(true) }
        let rate = text("training", "learning_rate"), optimizer = text("training", "optimizer")
        let penalty = text("training", "penalty")
        let train = text("data", "train") ?? ""
        let format = DataFormat(rawValue: text("data", "format") ?? "auto")?.resolved(for: train)
        switch key {
        case "training.eta0": return rate != "optimal"
        case "training.power_t": return rate == "invscaling"
        case "training.alpha": return penalty != "none" || rate == "optimal"
        case "training.l1_ratio": return penalty == "elasticnet"
        case "training.n_iter_no_change":
            return config["training"]?["tol"] != .null || isTrue("training", "early_stopping") || rate == "adaptive"
        case "training.momentum": return optimizer == "sgd"
        case "training.nesterov":
            if case .number(let m)? = config["training"]?["momentum"] { return optimizer == "sgd" && m != 0 }
            return false
        case "training.beta1", "training.beta2": return optimizer == "adam"
        case "training.epsilon": return optimizer == "adam" || optimizer == "adagrad"
        case "training.ftrl_beta": return optimizer == "ftrl"
        case "training.validation_fraction": return isTrue("training", "early_stopping")
        case "training.tol": return true  // null is a setting: no convergence check
        case "data.test_fraction": return config["data"]?["test"] == .null
        case "data.label": return format == .csv && config["data"]?["synthetic"] == nil
        case "data.format": return config["data"]?["synthetic"] == nil
        case "data.train_labels", "data.test_labels", "data.label_column": return format == .npy && value != .null
        case "data.features": return format == .libsvm
        case "data.ignore", "data.categorical", "data.missing": return format == .csv && config["data"]?["synthetic"] == nil
        case "data.missing_indicator": return format == .csv && text("data", "missing") != "error"
        default: return value != .null
        }
    }
}
