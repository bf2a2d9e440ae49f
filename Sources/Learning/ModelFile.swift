import Foundation

/// A trained model with everything needed to use it on raw data: the class names, the
/// feature names and the standardiser, plus the config and final metrics for the record.
///
/// On disk it is versioned JSON (see README.md, "Model file"):
/// `{"format": "minibatch-model", "version": 1, "model": {"type"}, "label", "classes",
///   "feature_names", "scaler": {"mean", "scale"} | null, "weights": [[...]], "bias": [...],
///   "config", "metrics", "training"}`.
/// Weights are written as the exact decimal of each float32, so a round trip keeps every bit.
public struct SavedModel: Sendable {
    public var model: LinearModel
    public var classes: [String]
    public var featureNames: [String]
    /// The label column's name in the training data.
    public var label: String
    public var scaler: Standardizer?
    /// The resolved config of the run that trained it.
    public var config: JSONValue
    /// Final metrics of that run.
    public var metrics: JSONValue
    /// Epochs, steps and stop reason of that run.
    public var training: JSONValue

    public static let formatName = "minibatch-model"
    public static let formatVersion = 1

    public init(model: LinearModel, classes: [String], featureNames: [String], label: String, scaler: Standardizer?,
                config: JSONValue = .null, metrics: JSONValue = .null, training: JSONValue = .null) {
        precondition(classes.count == model.classCount && featureNames.count == model.featureCount)
        self.model = model
        self.classes = classes
        self.featureNames = featureNames
        self.label = label
        self.scaler = scaler
        self.config = config
        self.metrics = metrics
        self.training = training
    }

    func floats(_ values: some Sequence<Float>) -> JSONValue { .array(values.map { .number(Double($0)) }) }

    /// The model file's JSON.
    public var jsonValue: JSONValue {
        let d = model.featureCount
        let w = model.weights
        let rows: [JSONValue] = (0..<model.outputCount).map { floats(w[($0 * d)..<(($0 + 1) * d)]) }
        return .object([
            ("format", .string(Self.formatName)),
            ("version", .number(Double(Self.formatVersion))),
            ("model", .object([("type", .string(model.kind.rawValue))])),
            ("label", .string(label)),
            ("classes", .array(classes.map { .string($0) })),
            ("feature_names", .array(featureNames.map { .string($0) })),
            ("scaler", scaler.map { .object([("mean", floats($0.mean)), ("scale", floats($0.scale))]) } ?? .null),
            ("weights", .array(rows)),
            ("bias", floats(model.bias)),
            ("config", config),
            ("metrics", metrics),
            ("training", training),
        ])
    }

    /// Writes the model atomically to `path`.
    public func write(to path: String) throws(LearningError) {
        try AtomicFile.write(jsonValue.prettyText() + "\n", to: path)
    }

    /// Reads a model file and checks its format, version and every shape.
    public static func read(path: String) throws(LearningError) -> SavedModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .modelFile(file: path, message: exists ? "cannot read the model file" : "no such model file")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse([UInt8](data))
        } catch {
            throw .modelFile(file: path, message: "not a valid model file: JSON error at line \(error.line), column \(error.column): \(error.message)")
        }
        return try decode(json, file: path)
    }

    /// Validates a parsed model file.
    public static func decode(_ json: JSONValue, file: String) throws(LearningError) -> SavedModel {
        func bad(_ message: String) -> LearningError { .modelFile(file: file, message: message) }
        guard case .object = json else { throw bad("not a model file: expected a JSON object") }
        guard case .string(let format)? = json["format"], format == formatName else {
            throw bad("not a model file: \"format\" is not \"\(formatName)\"")
        }
        guard case .number(let version)? = json["version"], version == version.rounded(), version >= 1 else {
            throw bad("\"version\" is missing or not a positive integer")
        }
        if version > Double(formatVersion) {  // compared as doubles: Int(1e300) would trap
            throw bad("model file format version \(JSONValue.number(version).jsonText) is newer than this minibatch reads (version \(formatVersion)); upgrade minibatch")
        }
        func strings(_ key: String) throws(LearningError) -> [String] {
            guard case .array(let items)? = json[key] else { throw bad("\"\(key)\" is missing or not an array") }
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw bad("\"\(key)\" must hold strings") }
                out.append(s)
            }
            return out
        }
        func floatArray(_ v: JSONValue?, _ key: String, count: Int) throws(LearningError) -> [Float] {
            guard case .array(let items)? = v else { throw bad("\"\(key)\" is missing or not an array") }
            guard items.count == count else { throw bad("\"\(key)\" has \(items.count) values, expected \(count)") }
            var out: [Float] = []
            out.reserveCapacity(count)
            for item in items {
                guard case .number(let d) = item, let f = Float(exactly: d) ?? Optional(Float(d)), f.isFinite else {
                    throw bad("\"\(key)\" must hold finite float32 numbers")
                }
                out.append(f)
            }
            return out
        }
        guard case .string(let typeName)? = json["model"]?["type"], let kind = LinearModelKind(rawValue: typeName) else {
            throw bad("\"model.type\" is missing or not one of \"softmax\", \"logistic\"")
        }
        let classes = try strings("classes")
        let featureNames = try strings("feature_names")
        guard classes.count >= 2, Set(classes).count == classes.count else { throw bad("\"classes\" must hold at least two distinct names") }
        guard !featureNames.isEmpty else { throw bad("\"feature_names\" is empty") }
        if kind == .logistic && classes.count != 2 { throw bad("a logistic model has two classes, found \(classes.count)") }
        guard case .string(let label)? = json["label"] else { throw bad("\"label\" is missing or not a string") }
        let d = featureNames.count
        var model = LinearModel(kind: kind, featureCount: d, classCount: classes.count)
        guard case .array(let rows)? = json["weights"], rows.count == model.outputCount else {
            throw bad("\"weights\" must be an array of \(model.outputCount) rows")
        }
        var w: [Float] = []
        for (i, row) in rows.enumerated() { w += try floatArray(row, "weights[\(i)]", count: d) }
        let b = try floatArray(json["bias"], "bias", count: model.outputCount)
        model.setParameters(weights: w, bias: b)
        var scaler: Standardizer? = nil
        if let s = json["scaler"], s != .null {
            let mean = try floatArray(s["mean"], "scaler.mean", count: d)
            let scale = try floatArray(s["scale"], "scaler.scale", count: d)
            guard scale.allSatisfy({ $0 > 0 }) else { throw bad("\"scaler.scale\" must be positive") }
            scaler = Standardizer(mean: mean, scale: scale)
        }
        return SavedModel(model: model, classes: classes, featureNames: featureNames, label: label, scaler: scaler,
                          config: json["config"] ?? .null, metrics: json["metrics"] ?? .null, training: json["training"] ?? .null)
    }

    /// Reads a data file for this model: CSV columns matched by name (a `.npy` file's columns
    /// by position), standardised with the stored scaler, labels (when the file has the label
    /// column, or `labelsPath` names a `.npy` labels file) encoded against the classes.
    public func loadData(path: String, labelsPath: String? = nil) throws(LearningError) -> (data: Dataset, hasLabels: Bool) {
        var features: [Float], labels: [String]?, count: Int
        if let npy = try TableLoading.load(path: path, label: label, labels: labelsPath, labelColumn: nil, requireLabels: false) {
            guard npy.featureNames.count == featureNames.count else {
                throw .data(file: path, line: nil,
                            message: "has \(npy.featureNames.count) feature columns, the model expects \(featureNames.count)")
            }
            (features, labels, count) = (npy.features, labelsPath == nil ? nil : npy.labels, npy.count)
        } else {
            (features, labels, count) = try CSVReader.readForModel(path: path, featureNames: featureNames, label: label)
        }
        scaler?.transform(&features)
        let table = LabeledTable(features: features, labels: labels ?? [String](repeating: "", count: count),
                                 featureNames: featureNames, file: path)
        var data = table.encoded(classes: classes)
        if labels == nil { data.labels = [Int32](repeating: 0, count: count); data.unseenLabels = [] }
        return (data, labels != nil)
    }
}
