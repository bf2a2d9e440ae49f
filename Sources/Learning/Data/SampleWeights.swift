/// `training.class_weight`: how much the rows of each class weigh in the loss and its
/// gradient (scikit-learn's `class_weight`).
public enum ClassWeight: Sendable, Equatable {
    /// w_c = n / (K n_c), with n_c the training split's rows of class c, n their total and K
    /// the number of classes that have rows: every class then carries the same total weight,
    /// and the mean weight of a row is 1.
    case balanced
    /// Weights by label text; a class not listed weighs 1.
    case given([LabelWeight])

    /// One weight per class of `classes`, from the training split's row count of each class.
    /// A class without rows gets 1 (it has nothing to weigh).
    public func perClass(classes: [String], counts: [Int]) -> [Float] {
        precondition(counts.count == classes.count)
        switch self {
        case .balanced:
            let present = counts.filter { $0 > 0 }
            let n = Double(present.reduce(0, +)), k = Double(present.count)
            return counts.map { $0 > 0 ? Float(n / (k * Double($0))) : 1 }
        case .given(let entries):
            var byLabel: [String: Double] = [:]
            for e in entries { byLabel[e.label] = e.weight }
            return classes.map { Float(byLabel[$0] ?? 1) }
        }
    }

    /// The config's JSON for it: "balanced" or an object of label: weight.
    var jsonValue: JSONValue {
        switch self {
        case .balanced: .string("balanced")
        case .given(let entries): .object(entries.map { ($0.label, .number($0.weight)) })
        }
    }

    /// Reads `training.class_weight`: null (nil), "balanced", or an object mapping label text
    /// to a positive finite weight. Errors name the key, down to the label.
    static func decode(_ v: JSONValue, _ r: ConfigReader) throws(LearningError) -> ClassWeight? {
        let key = "training.class_weight"
        switch v {
        case .null:
            return nil
        case .string(let s):
            guard s == "balanced" else {
                throw r.fail(key, "\"\(s)\" is not allowed; allowed: \"balanced\", an object of label: weight, or null")
            }
            return .balanced
        case .object(let members):
            var entries: [LabelWeight] = []
            for (label, value) in members {
                let weight = try r.number(value, key + "." + label, ConfigLimits.classWeight)
                entries.append(LabelWeight(label: label, weight: weight))
            }
            return .given(entries)
        default:
            throw r.fail(key, "expected \"balanced\", an object of label: weight, or null, found \(v.kindName) \(v.jsonText)")
        }
    }

    /// Checks a given map against the training data's classes: a label that is not one of
    /// them is a config error naming `training.class_weight.<label>`.
    func check(classes: [String], configFile: String) throws(LearningError) {
        guard case .given(let entries) = self else { return }
        for e in entries where !classes.contains(e.label) {
            let list = classes.prefix(10).joined(separator: ", ") + (classes.count > 10 ? ", ..." : "")
            throw .config(file: configFile, key: "training.class_weight." + e.label,
                          message: "'\(e.label)' is not a class of the training data (classes: \(list))")
        }
    }
}

/// One label's weight in a ``ClassWeight/given(_:)`` map.
public struct LabelWeight: Sendable, Equatable {
    public var label: String
    public var weight: Double
    public init(label: String, weight: Double) {
        self.label = label
        self.weight = weight
    }
}

extension TrainingOptions {
    /// The weight of each row of `train` in the loss and its gradient: its sample weight
    /// (`train.weights`, 1 without) times its class's weight (`classWeight`, 1 without); nil
    /// when there are neither, so training takes the unweighted kernels.
    /// - Parameter heldOut: rows of the training split that training does not step over (the
    ///   early-stopping validation rows): "balanced" counts the classes over `train` and them.
    public func rowWeights<Rows: TrainingRows>(for train: Rows, heldOut: Rows? = nil) -> [Float]? {
        rowWeights(labels: train.labels, classes: train.classes, sampleWeights: train.weights,
                   counts: train.classCounts, heldOutCounts: heldOut?.classCounts)
    }

    /// The rule of ``rowWeights(for:heldOut:)`` on a split's labels, sample weights and class
    /// counts (plus the held-out rows' counts, which "balanced" includes).
    func rowWeights(labels: [Int32], classes: [String], sampleWeights: [Float]?, counts: [Int],
                    heldOutCounts: [Int]?) -> [Float]? {
        guard sampleWeights != nil || classWeight != nil else { return nil }
        var perClass: [Float]? = nil
        if let classWeight {
            var counts = counts
            if let heldOutCounts { for (c, n) in heldOutCounts.enumerated() { counts[c] += n } }
            perClass = classWeight.perClass(classes: classes, counts: counts)
        }
        return labels.indices.map { i in
            let sample = sampleWeights?[i] ?? 1
            guard let perClass else { return sample }
            return sample * perClass[Int(labels[i])]
        }
    }
}
