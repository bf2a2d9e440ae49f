import Foundation

// What model.json records about a run beyond the model itself, so that the training report
// (report.html) can be rebuilt from model.json and metrics.jsonl alone: the sample count of
// each class in each split (in "training") and the confusion matrix of the final model (in
// "evaluation"). The writing side is used by TrainingJob; the reading side by TrainingReport.

extension Prepared {
    /// Members added to model.json's "training" object: "validation_samples", and
    /// "train_class_counts", "validation_class_counts", "test_class_counts" (one count per
    /// class, in the order of "classes"; null for a split the run did not have).
    public var classCountsJSON: [(key: String, value: JSONValue)] {
        func counts(_ d: Rows?) -> JSONValue { d.map { .array($0.classCounts.map { .number(Double($0)) }) } ?? .null }
        return [
            ("validation_samples", .number(Double(validation?.count ?? 0))),
            ("train_class_counts", counts(train)),
            ("validation_class_counts", counts(validation)),
            ("test_class_counts", counts(test)),
        ]
    }
}

extension Evaluation {
    /// model.json's "evaluation" object: `set` ("test" or "train"), "samples", "accuracy",
    /// "log_loss", "classes" (columns), "true_labels" (rows: the classes, then labels the model
    /// never saw) and the confusion matrix (``confusionJSON``), the same names as
    /// `minibatch evaluate --json`.
    public func recordJSON(set: String) -> JSONValue {
        .object([
            ("set", .string(set)),
            ("samples", .number(Double(count))),
            ("accuracy", .number(accuracy)),
            ("log_loss", .numberOrNull(logLoss)),
            ("classes", .array(predictedLabels.map { .string($0) })),
            ("true_labels", .array(trueLabels.map { .string($0) })),
            confusionJSON,
        ])
    }

    /// The confusion matrix as a JSON member: "confusion_matrix" (rows: true labels, columns:
    /// predicted classes) when it is small (``isSmall``), else "confusion_entries", its
    /// non-zero cells as [row, column, count] triples, so that its size grows with the rows
    /// scored rather than the square of the class count.
    public var confusionJSON: (key: String, value: JSONValue) {
        if isSmall { return ("confusion_matrix", .array(confusion.map { .array($0.map { .number(Double($0)) }) })) }
        return ("confusion_entries", .array(cells.map {
            .array([.number(Double($0.row)), .number(Double($0.column)), .number(Double($0.count))])
        }))
    }
}

/// The parts of a model file that describe the run, read leniently about what is absent
/// (files written before "evaluation" and the class counts existed have none) and strictly
/// about what is present: a malformed value is an error naming its key.
public struct RunRecord: Sendable {
    public var modelType: String
    /// model.json's "model" object (type, and whatever else a model kind records).
    public var model: JSONValue
    public var classes: [String]
    public var featureNames: [String]
    public var label: String?
    /// The resolved config, the `--json` summary and the "training" object; .null when absent.
    public var config: JSONValue
    public var summary: JSONValue
    public var training: JSONValue
    public var evaluation: ConfusionRecord?
    /// The run id shared by the run's files (`training.run_id`), nil for files written before.
    public var runID: String? {
        if case .string(let id)? = training["run_id"] { return id }
        return nil
    }

    /// The final model's confusion matrix on one set.
    public struct ConfusionRecord: Sendable, Equatable {
        /// "test" or "train".
        public var set: String
        public var samples: Int
        public var accuracy: Double?
        public var logLoss: Double?
        /// Column names: the model's classes.
        public var classes: [String]
        /// Row names: the classes, then unseen labels.
        public var trueLabels: [String]
        /// The non-zero cells, sorted by row then column.
        public var cells: [ConfusionCell]

        /// The dense matrix; only for small class counts (``ConfusionCell/denseCellLimit``).
        public var matrix: [[Int]] { ConfusionCell.dense(cells, rows: trueLabels.count, columns: classes.count) }
        public var isSmall: Bool { ConfusionCell.isSmall(rows: trueLabels.count, columns: classes.count) }
    }

    /// Reads the run's record from a model file.
    public static func read(path: String) throws(LearningError) -> RunRecord {
        try decode(try SavedModel.readJSON(path: path), file: path)
    }

    public static func decode(_ json: JSONValue, file: String) throws(LearningError) -> RunRecord {
        func bad(_ message: String) -> LearningError { .modelFile(file: file, message: message) }
        try SavedModel.checkHeader(json, file: file)
        func strings(_ v: JSONValue?, _ key: String) throws(LearningError) -> [String] {
            try JSONValue.strings(v, key: key, bad: bad)
        }
        func counts(_ v: JSONValue?, _ key: String, length: Int) throws(LearningError) -> [Int] {
            guard case .array(let items)? = v, items.count == length else {
                throw bad("\"\(key)\" must be an array of \(length) counts")
            }
            var out: [Int] = []
            for item in items {
                guard case .number(let d) = item, d >= 0, d == d.rounded(), d < 1e15 else {
                    throw bad("\"\(key)\" must hold whole numbers >= 0")
                }
                out.append(Int(d))
            }
            return out
        }
        func object(_ key: String) throws(LearningError) -> JSONValue {
            switch json[key] {
            case nil, .null?: return .null
            case .object?: return json[key]!
            case let v?: throw bad("\"\(key)\" must be an object, found \(v.kindName)")
            }
        }
        guard case .string(let modelType)? = json["model"]?["type"] else { throw bad("\"model.type\" is missing or not a string") }
        let classes = try strings(json["classes"], "classes")
        let featureNames = try strings(json["feature_names"], "feature_names")
        var label: String? = nil
        if case .string(let s)? = json["label"] { label = s }
        let training = try object("training")
        switch training["run_id"] {
        case nil, .null?: break
        case .string(let id)? where RunOutput.isRunID(id): break
        case _?: throw bad("\"training.run_id\" must be a run id (16 hexadecimal digits)")
        }
        for split in ["train", "validation", "test"] {
            let key = "\(split)_class_counts"
            if let v = training[key], v != .null { _ = try counts(v, "training." + key, length: classes.count) }
        }
        var evaluation: ConfusionRecord? = nil
        let e = try object("evaluation")
        if e != .null {
            guard case .string(let set)? = e["set"] else { throw bad("\"evaluation.set\" is missing or not a string") }
            guard case .number(let samples)? = e["samples"], samples >= 0, samples == samples.rounded(), samples < 1e15 else {
                throw bad("\"evaluation.samples\" is missing or not a whole number >= 0")
            }
            func optionalNumber(_ key: String) throws(LearningError) -> Double? {
                switch e[key] {
                case nil, .null?: return nil
                case .number(let d)?: return d
                case let v?: throw bad("\"evaluation.\(key)\" must be a number or null, found \(v.kindName)")
                }
            }
            let columns = try strings(e["classes"], "evaluation.classes")
            let rowNames = try strings(e["true_labels"], "evaluation.true_labels")
            var cells: [ConfusionCell] = []
            let key: String
            if let entries = e["confusion_entries"] {
                key = "evaluation.confusion_entries"
                guard case .array(let items) = entries else { throw bad("\"\(key)\" must be an array of [row, column, count]") }
                for (i, item) in items.enumerated() {
                    let t = try counts(item, "\(key)[\(i)]", length: 3)
                    guard t[0] < rowNames.count, t[1] < columns.count,
                          cells.last.map({ ($0.row, $0.column) < (t[0], t[1]) }) ?? true else {
                        throw bad("\"\(key)[\(i)]\" must name a row below \(rowNames.count) and a column below "
                                      + "\(columns.count), after the entry before it")
                    }
                    cells.append(ConfusionCell(row: t[0], column: t[1], count: t[2]))
                }
            } else {
                key = "evaluation.confusion_matrix"
                guard case .array(let rows)? = e["confusion_matrix"], rows.count == rowNames.count else {
                    throw bad("\"\(key)\" must be an array of \(rowNames.count) rows (one per true label)")
                }
                for (i, row) in rows.enumerated() {
                    for (j, n) in try counts(row, "\(key)[\(i)]", length: columns.count).enumerated() where n != 0 {
                        cells.append(ConfusionCell(row: i, column: j, count: n))
                    }
                }
            }
            let total = cells.reduce(0) { $0 + $1.count }
            guard total == Int(samples) else {
                throw bad("\"\(key)\" counts \(total) samples, \"evaluation.samples\" is \(Int(samples))")
            }
            evaluation = ConfusionRecord(
                set: set, samples: Int(samples), accuracy: try optionalNumber("accuracy"), logLoss: try optionalNumber("log_loss"),
                classes: columns, trueLabels: rowNames, cells: cells)
        }
        return RunRecord(modelType: modelType, model: json["model"] ?? .null, classes: classes, featureNames: featureNames,
                         label: label, config: try object("config"), summary: try object("metrics"), training: training,
                         evaluation: evaluation)
    }

    /// The per-class counts of one split ("train", "validation", "test"), nil when not recorded.
    public func classCounts(_ split: String) -> [Int]? {
        guard case .array(let items)? = training["\(split)_class_counts"] else { return nil }
        return items.compactMap { if case .number(let d) = $0 { return Int(d) } else { return nil } }
    }
}
