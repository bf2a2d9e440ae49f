import Foundation

/// A trained model with everything needed to use it on raw data: the class names, the
/// feature names and the standardiser, plus the config and final metrics for the record.
///
/// On disk it is versioned JSON (see docs/file-formats.md, "DIR/model.json"):
/// `{"format": "minibatch-model", "version": 1, "model": {"type"}, "label", ["weight",] "classes",
///   "feature_names", ["preprocessing",] "scaler": {"mean", "scale"} | null, "weights": [[...]], "bias": [...],
///   "config", "metrics", "training", "evaluation"}`. An "mlp" model has `"model": {"type",
///   "hidden", "activation"}` and `"layers": [{"weights": [[...]], "bias": [...]}, ...]` (input
///   side first) in place of "weights" and "bias". "preprocessing" (see ``ColumnPreprocessing``,
///   docs/own-data.md) is present only for a model trained with data.ignore, data.categorical or
///   data.missing.
/// Weights are written as the exact decimal of each float32, so a round trip keeps every bit.
public struct SavedModel: Sendable {
    public var model: Model
    public var classes: [String]
    public var featureNames: [String]
    /// The label column's name in the training data.
    public var label: String
    /// The training data's column of sample weights (`data.weight`), or nil. Data to score may
    /// have it or not; it is never a feature.
    public var weight: String? = nil
    public var scaler: Standardizer?
    /// How the columns of a CSV file become the features (ignored, one-hot and imputed
    /// columns), or nil when the features are the file's numeric columns as they are.
    public var preprocessing: ColumnPreprocessing? = nil
    /// The resolved config of the run that trained it.
    public var config: JSONValue
    /// Final metrics of that run.
    public var metrics: JSONValue
    /// Epochs, steps and stop reason of that run.
    public var training: JSONValue
    /// The final model's confusion matrix on the test (else training) set; .null when absent.
    public var evaluation: JSONValue = .null

    public static let formatName = "minibatch-model"
    public static let formatVersion = 1

    public init(model: LinearModel, classes: [String], featureNames: [String], label: String, scaler: Standardizer?,
                config: JSONValue = .null, metrics: JSONValue = .null, training: JSONValue = .null,
                evaluation: JSONValue = .null) {
        self.init(model: .linear(model), classes: classes, featureNames: featureNames, label: label, scaler: scaler,
                  config: config, metrics: metrics, training: training, evaluation: evaluation)
    }

    public init(model: Model, classes: [String], featureNames: [String], label: String, scaler: Standardizer?,
                config: JSONValue = .null, metrics: JSONValue = .null, training: JSONValue = .null,
                evaluation: JSONValue = .null) {
        precondition(classes.count == model.classCount && featureNames.count == model.featureCount)
        self.model = model
        self.classes = classes
        self.featureNames = featureNames
        self.label = label
        self.scaler = scaler
        self.config = config
        self.metrics = metrics
        self.training = training
        self.evaluation = evaluation
    }

    func floats(_ values: some Sequence<Float>) -> JSONValue { .array(values.map { .number(Double($0)) }) }

    /// The model file's JSON.
    public var jsonValue: JSONValue { json(weightsAsPlaceholders: false).value }

    /// The model file's text, `jsonValue.prettyText() + "\n"` byte for byte, written without
    /// holding the weight matrices as a JSON tree: each matrix stands in the tree as a
    /// placeholder string, and its rows are written straight into the text. (As a tree, the
    /// 21 million weights of a 2^20-feature, 20-class sparse model took about 2 GB.)
    public var fileText: String {
        let (value, matrices) = json(weightsAsPlaceholders: true)
        let tree = value.prettyText() + "\n"
        // The tree's text up to each placeholder, then the matrix in its place (the
        // placeholders come in order), then the rest.
        var text = ""
        text.reserveCapacity(tree.utf8.count + matrices.reduce(0) { $0 + $1.weights.count * 13 })
        var rest = tree[...]
        for (index, m) in matrices.enumerated() {
            guard let at = rest.range(of: JSONValue.quote(Self.matrixPlaceholder(index))) else { continue }
            // The placeholder's indentation is that of its line's key.
            let lineStart = rest[..<at.lowerBound].lastIndex(of: "\n").map { rest.index(after: $0) } ?? rest.startIndex
            let indent = rest[lineStart...].prefix { $0 == " " }.count / 2
            text += rest[..<at.lowerBound]
            Self.appendMatrixText(m.weights, rows: m.rows, columns: m.columns, indent: indent, to: &text)
            rest = rest[at.upperBound...]
        }
        text += rest
        return text
    }

    /// The model file's JSON with each weight matrix a placeholder string: for readers of its
    /// other members (the run record), without a tree of every weight.
    var jsonValueWithoutWeights: JSONValue { json(weightsAsPlaceholders: true).value }

    /// A string no model file holds (it starts with a control character, which JSON text
    /// escapes), standing for matrix `index` in ``fileText``.
    private static func matrixPlaceholder(_ index: Int) -> String { "\u{1}matrix \(index)" }

    /// Appends the pretty text of a (rows, columns) row-major matrix at `indent`, as
    /// ``JSONValue/prettyText(indent:)`` writes an array of number arrays.
    private static func appendMatrixText(_ w: [Float], rows: Int, columns: Int, indent: Int, to text: inout String) {
        if rows == 0 {
            text += "[]"
            return
        }
        let inner = String(repeating: "  ", count: indent + 1)
        text += "[\n"
        for r in 0..<rows {
            text += inner
            text += "["
            for c in 0..<columns {
                if c > 0 { text += "," }
                text += JSONValue.number(Double(w[r * columns + c])).jsonText
            }
            text += r + 1 < rows ? "],\n" : "]\n"
        }
        text += String(repeating: "  ", count: indent)
        text += "]"
    }

    /// The model file's JSON; with `weightsAsPlaceholders`, each weight matrix is a
    /// placeholder (``matrixPlaceholder(_:)``) and `matrices` lists them in placeholder order.
    private func json(weightsAsPlaceholders: Bool) -> (value: JSONValue, matrices: [(weights: [Float], rows: Int, columns: Int)]) {
        var matrices: [(weights: [Float], rows: Int, columns: Int)] = []
        func matrix(_ w: [Float], rows: Int, columns: Int) -> JSONValue {
            if weightsAsPlaceholders {
                matrices.append((w, rows, columns))
                return .string(Self.matrixPlaceholder(matrices.count - 1))
            }
            return .array((0..<rows).map { floats(w[($0 * columns)..<(($0 + 1) * columns)]) })
        }
        var modelObject: [(key: String, value: JSONValue)] = [("type", .string(model.typeName))]
        var parameters: [(key: String, value: JSONValue)] = []
        switch model {
        case .linear(let m):
            parameters = [("weights", matrix(m.weights, rows: m.outputCount, columns: m.featureCount)),
                          ("bias", floats(m.bias))]
        case .mlp(let m):
            modelObject += [("hidden", .array(m.hidden.map { .number(Double($0)) })),
                            ("activation", .string(m.activation.rawValue))]
            parameters = [("layers", .array(m.layers.indices.map { l in
                .object([("weights", matrix(m.weights(layer: l), rows: m.layers[l].outputs, columns: m.layers[l].inputs)),
                         ("bias", floats(m.bias(layer: l)))])
            }))]
        }
        let preprocessingMembers: [(key: String, value: JSONValue)] =
            preprocessing.map { [("preprocessing", $0.jsonValue)] } ?? []
        var members: [(key: String, value: JSONValue)] = [
            ("format", .string(Self.formatName)),
            ("version", .number(Double(Self.formatVersion))),
            ("model", .object(modelObject)),
            ("label", .string(label)),
        ]
        if let weight { members.append(("weight", .string(weight))) }
        members.append(("classes", .array(classes.map { .string($0) })))
        members.append(("feature_names", .array(featureNames.map { .string($0) })))
        members += preprocessingMembers
        let scalerValue: JSONValue = scaler.map { .object([("mean", floats($0.mean)), ("scale", floats($0.scale))]) } ?? .null
        members.append(("scaler", scalerValue))
        members += parameters
        members += [("config", config), ("metrics", metrics), ("training", training), ("evaluation", evaluation)]
        return (.object(members), matrices)
    }

    /// Writes the model atomically to `path`.
    public func write(to path: String) throws(LearningError) {
        try AtomicFile.write(fileText, to: path)
    }

    /// Reads a model file and checks its format, version and every shape.
    public static func read(path: String) throws(LearningError) -> SavedModel {
        try decode(try readJSON(path: path), file: path)
    }

    /// A model file's JSON, read and parsed (the format is checked by ``checkHeader``).
    static func readJSON(path: String) throws(LearningError) -> JSONValue {
        try InputFile.checkKind(path) { .modelFile(file: path, message: $0) }
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .modelFile(file: path, message: exists ? "cannot read the model file" : "no such model file")
        }
        do {
            return try JSONParser.parse([UInt8](data))
        } catch {
            throw .modelFile(file: path, message: "not a valid model file: JSON error at line \(error.line), column \(error.column): \(error.message)")
        }
    }

    /// Checks that `json` is a model file of a version this build reads.
    static func checkHeader(_ json: JSONValue, file: String) throws(LearningError) {
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
    }

    /// Validates a parsed model file.
    public static func decode(_ json: JSONValue, file: String) throws(LearningError) -> SavedModel {
        func bad(_ message: String) -> LearningError { .modelFile(file: file, message: message) }
        try checkHeader(json, file: file)
        func strings(_ key: String) throws(LearningError) -> [String] { try JSONValue.strings(json[key], key: key, bad: bad) }
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
        guard case .string(let typeName)? = json["model"]?["type"], typeName == "mlp" || LinearModelKind(rawValue: typeName) != nil else {
            throw bad("\"model.type\" is missing or not one of \"softmax\", \"logistic\", \"mlp\"")
        }
        let classes = try strings("classes")
        let featureNames = try strings("feature_names")
        guard classes.count >= 2, Set(classes).count == classes.count else { throw bad("\"classes\" must hold at least two distinct names") }
        guard !featureNames.isEmpty else { throw bad("\"feature_names\" is empty") }
        if let twice = Dictionary(featureNames.map { ($0, 1) }, uniquingKeysWith: +).first(where: { $0.value > 1 })?.key {
            throw bad("\"feature_names\" holds '\(twice)' twice; the names must be distinct")
        }
        guard case .string(let label)? = json["label"] else { throw bad("\"label\" is missing or not a string") }
        var weight: String? = nil
        if let w = json["weight"], w != .null {
            guard case .string(let name) = w, !name.isEmpty, name != label, !featureNames.contains(name) else {
                throw bad("\"weight\" must be the name of a column that is neither the label nor a feature")
            }
            weight = name
        }
        let d = featureNames.count
        /// A (rows, columns) matrix as an array of rows.
        func matrix(_ v: JSONValue?, _ key: String, rows: Int, columns: Int) throws(LearningError) -> [Float] {
            guard case .array(let items)? = v, items.count == rows else { throw bad("\"\(key)\" must be an array of \(rows) rows") }
            var w: [Float] = []
            for (i, row) in items.enumerated() { w += try floatArray(row, "\(key)[\(i)]", count: columns) }
            return w
        }
        let model: Model
        if let kind = LinearModelKind(rawValue: typeName) {
            if kind == .logistic && classes.count != 2 { throw bad("a logistic model has two classes, found \(classes.count)") }
            var m = LinearModel(kind: kind, featureCount: d, classCount: classes.count)
            let w = try matrix(json["weights"], "weights", rows: m.outputCount, columns: d)
            let b = try floatArray(json["bias"], "bias", count: m.outputCount)
            m.setParameters(weights: w, bias: b)
            model = .linear(m)
        } else {
            guard case .array(let sizes)? = json["model"]?["hidden"], !sizes.isEmpty else {
                throw bad("\"model.hidden\" is missing or not a non-empty array")
            }
            var hidden: [Int] = []
            for size in sizes {
                guard case .number(let n) = size, n == n.rounded(), n >= 1, n <= 1_000_000 else {
                    throw bad("\"model.hidden\" must hold positive integers")
                }
                hidden.append(Int(n))
            }
            guard case .string(let name)? = json["model"]?["activation"], let activation = Activation(rawValue: name) else {
                throw bad("\"model.activation\" is missing or not one of \"relu\", \"tanh\", \"sigmoid\"")
            }
            // Check every shape before the network's buffer is allocated: its size is then bounded
            // by the numbers already parsed.
            let widths = [d] + hidden + [classes.count == 2 ? 1 : classes.count]
            guard case .array(let layers)? = json["layers"], layers.count == widths.count - 1 else {
                throw bad("\"layers\" must be an array of \(widths.count - 1) layers")
            }
            for l in layers.indices {
                let key = "layers[\(l)].weights"
                guard case .array(let rows)? = layers[l]["weights"], rows.count == widths[l + 1] else {
                    throw bad("\"\(key)\" must be an array of \(widths[l + 1]) rows")
                }
                for (i, row) in rows.enumerated() {
                    guard case .array(let values) = row, values.count == widths[l] else {
                        throw bad("\"\(key)[\(i)]\" must hold \(widths[l]) values")
                    }
                }
            }
            var m = MLP(featureCount: d, hidden: hidden, activation: activation, classCount: classes.count)
            for (l, layer) in m.layers.enumerated() {
                let w = try matrix(layers[l]["weights"], "layers[\(l)].weights", rows: layer.outputs, columns: layer.inputs)
                let b = try floatArray(layers[l]["bias"], "layers[\(l)].bias", count: layer.outputs)
                m.setLayer(l, weights: w, bias: b)
            }
            model = .mlp(m)
        }
        // Required, null when the model was trained without standardisation: a file that lost
        // the key would otherwise score raw features with weights fitted to standardised ones.
        guard let s = json["scaler"] else {
            throw bad("\"scaler\" is missing (null for a model trained without standardisation)")
        }
        var scaler: Standardizer? = nil
        if s != .null {
            let mean = try floatArray(s["mean"], "scaler.mean", count: d)
            let scale = try floatArray(s["scale"], "scaler.scale", count: d)
            guard scale.allSatisfy({ $0 > 0 }) else { throw bad("\"scaler.scale\" must be positive") }
            scaler = Standardizer(mean: mean, scale: scale)
        }
        var saved = SavedModel(model: model, classes: classes, featureNames: featureNames, label: label, scaler: scaler,
                               config: json["config"] ?? .null, metrics: json["metrics"] ?? .null,
                               training: json["training"] ?? .null, evaluation: json["evaluation"] ?? .null)
        saved.weight = weight
        if let p = json["preprocessing"], p != .null {
            let preprocessing = try ColumnPreprocessing.decode(p, bad: bad)
            guard preprocessing.featureNames == featureNames else {
                throw bad("\"preprocessing\" gives the features \(preprocessing.featureNames.prefix(5)), not \"feature_names\"")
            }
            saved.preprocessing = preprocessing
        }
        try saved.checkRange(file: file)
        return saved
    }

    /// Reads a data file for this model as dense rows: CSV columns matched by name (a `.npy`
    /// file's columns by position, a LIBSVM file's index i as feature i - 1), standardised with
    /// the stored scaler, labels (when the file has the label column, or `labelsPath` names a
    /// `.npy` labels file; a LIBSVM row always has one) encoded against the classes. The
    /// training data's weight column, if the file has it, is ignored. `format` (or the
    /// extension) says how to read the file; ``loadInput(path:labelsPath:format:)`` keeps
    /// LIBSVM data sparse. `labelsPath` is for `.npy` data only: with a CSV or LIBSVM file,
    /// which hold their labels, it is an error rather than ignored.
    public func loadData(path: String, labelsPath: String? = nil, format: DataFormat = .auto)
        throws(LearningError) -> (data: Dataset, hasLabels: Bool)
    {
        var features: [Float], labels: [String]?, count: Int
        if format.resolved(for: path) == .libsvm {
            if let labelsPath {
                throw .data(file: labelsPath, line: nil, message: "a LIBSVM file holds its own labels; a labels file is for .npy data")
            }
            let table = try LIBSVMReader.read(path: path, featureCount: featureNames.count)
            (features, labels, count) = (SparseDataset(table, classes: classes).densified().features, table.labels, table.count)
        } else if let npy = try TableLoading.load(path: path, label: label, labels: labelsPath, labelColumn: nil,
                                                  requireLabels: false, format: format) {
            guard npy.featureNames.count == featureNames.count else {
                throw .data(file: path, line: nil,
                            message: "has \(npy.featureNames.count) feature columns, the model expects \(featureNames.count)")
            }
            (features, labels, count) = (npy.features, labelsPath == nil ? nil : npy.labels, npy.count)
        } else {
            if let labelsPath {
                throw .data(file: labelsPath, line: nil,
                            message: "a CSV file holds its own label column ('\(label)'); a labels file is for .npy data")
            }
            if let preprocessing {
                let text = try TextTable.read(path: path)
                features = try preprocessing.transform(text, label: label, weight: weight)
                labels = text.column(label)
                count = text.count
            } else {
                (features, labels, count) = try CSVReader.readForModel(path: path, featureNames: featureNames, label: label,
                                                                       ignoring: weight.map { [$0] } ?? [])
            }
        }
        if let scaler {
            scaler.transform(&features)
            if let (r, j) = scaler.firstNonFinite(in: features) {
                throw .data(file: path, line: nil, message: "row \(r + 1): " + scaler.beyondFloat32(column: featureNames[j], at: j))
            }
        }
        let table = LabeledTable(features: features, labels: labels ?? [String](repeating: "", count: count),
                                 featureNames: featureNames, file: path)
        var data = table.encoded(classes: classes)
        if labels == nil { data.labels = [Int32](repeating: 0, count: count); data.unseenLabels = [] }
        return (data, labels != nil)
    }
}
