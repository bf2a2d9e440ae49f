import Foundation

/// A saved model as an ONNX graph that computes what `minibatch predict` does.
///
/// Input `features`: float [N, d], the columns in the order of the model's feature names (the
/// metadata key `feature_names`). Outputs `probabilities`: float [N, K], columns in the order
/// of the classes; `label`: [N] the most probable class, int64 when every class is an
/// integer written plainly ("3", "-1"; not "+1" or "03"), else string.
///
/// The graph, in stages:
///
///     preprocessing:  S = (X - mean) / scale            Sub, Div (when the model has a scaler)
///     layers:         A_l = f(A_{l-1} W_l^T + b_l)       Gemm (transB = 1), Relu | Tanh | Sigmoid
///                     Z = A_{L-1} W_L^T + b_L            Gemm
///     head, K outputs: P = softmax(Z) over the last axis; label = classes[argmax Z]
///     head, 1 output:  p = sigmoid(z); P = [1 - p, p];    label = classes[z > 0 ? 1 : 0]
///
/// which is minibatch's own arithmetic: a logistic model (and a two-class network) has one
/// logit z with the first class's logit fixed at 0, and predicts the second class only when
/// z > 0, as the scorer does; a tie between softmax logits goes to the first class, as in
/// ArgMax.
extension SavedModel {
    /// The ONNX file's bytes.
    func onnxBytes() throws(LearningError) -> [UInt8] { try onnxModel().encoded }

    /// Writes the model as an ONNX file, atomically. `modelFile` names the model in errors.
    public func writeONNX(to path: String, modelFile: String = "model.json") throws(LearningError) {
        if let key = Self.unsupportedONNXKey(in: jsonValue) {
            throw .modelFile(file: modelFile, message: "\"\(key)\" is preprocessing that the ONNX export does not support yet; "
                             + "the export handles standardisation (\"scaler\": mean and scale) only")
        }
        if let column = onnxUnsupportedColumn {
            throw .modelFile(file: modelFile, message: "the ONNX export does not support the model's column preprocessing yet: \(column); "
                             + "it exports models whose features are the table's numeric columns as they are (ignored columns are fine)")
        }
        try AtomicFile.write(bytes: try onnxBytes(), to: path)
    }

    /// The model file keys the export knows; anything else a model file gains (one-hot
    /// categories, imputation, ...) changes what the model computes, so exporting without it
    /// would give wrong probabilities.
    static let onnxKnownKeys: Set<String> = [
        "format", "version", "model", "label", "weight", "classes", "feature_names", "preprocessing", "scaler", "weights", "bias",
        "layers", "config", "metrics", "training", "evaluation",
    ]

    /// The first column of the model's preprocessing that the graph cannot compute yet, said
    /// in words, or nil: a one-hot column, which would need string inputs and nodes of its own
    /// in ``onnxPreprocessing(_:into:)``. Numeric columns, with fill values and missing
    /// indicators, are computed there.
    var onnxUnsupportedColumn: String? {
        guard let preprocessing else { return nil }
        for case .categorical(let c) in preprocessing.columns {
            return "column '\(c.name)' is one-hot encoded (data.categorical)"
        }
        return nil
    }

    /// The columns of the graph's input: the model's features, or with column preprocessing
    /// its numeric input columns (a missing indicator is computed from its column, and
    /// ignored columns are not inputs).
    var onnxInputColumns: [String] { preprocessing?.columns.map(\.name) ?? featureNames }

    /// The numeric columns of the preprocessing, when any of them fills empty cells or has
    /// a missing indicator (else the input is the features as they are).
    var onnxImputedColumns: [ColumnPreprocessing.NumericColumn]? {
        guard let preprocessing else { return nil }
        let numeric = preprocessing.columns.compactMap { column -> ColumnPreprocessing.NumericColumn? in
            if case .numeric(let c) = column { return c }
            return nil
        }
        guard numeric.count == preprocessing.columns.count, numeric.contains(where: { $0.fill != nil || $0.indicator }) else { return nil }
        return numeric
    }

    /// The first key of a model file's JSON (or of its scaler) that the export does not
    /// know, or nil.
    static func unsupportedONNXKey(in json: JSONValue) -> String? {
        guard case .object(let members) = json else { return nil }
        if let unknown = members.first(where: { !onnxKnownKeys.contains($0.key) }) { return unknown.key }
        if case .object(let scaler)? = json["scaler"], let extra = scaler.first(where: { $0.key != "mean" && $0.key != "scale" }) {
            return "scaler." + extra.key
        }
        return nil
    }

    /// The model as an ONNX model.
    func onnxModel() throws(LearningError) -> ONNXModel {
        let input = "features"
        var g = ONNXGraphBuilder(reserved: [input])
        let prepared = onnxPreprocessing(input, into: &g)
        let logits = onnxLayers(prepared, into: &g)
        let labelType = onnxClassLabels.elementType
        let (probabilities, label) = onnxHead(logits, into: &g)
        let n = ONNXValueInfo.Dimension.symbolic("N")
        let graph = ONNXGraph(
            name: "minibatch_\(model.typeName)", nodes: g.nodes, initializers: g.initializers,
            inputs: [ONNXValueInfo(name: input, elementType: .float, shape: [n, .fixed(onnxInputColumns.count)],
                                   docString: "one row per sample; columns: the input_columns metadata, in order"
                                       + (onnxImputedColumns == nil ? "" : "; an empty cell is NaN"))],
            outputs: [ONNXValueInfo(name: label, elementType: labelType, shape: [n],
                                    docString: "the most probable class"),
                      ONNXValueInfo(name: probabilities, elementType: .float, shape: [n, .fixed(classes.count)],
                                    docString: "class probabilities; columns: the classes metadata, in order")])
        return ONNXModel(graph: graph, producerName: "minibatch", producerVersion: MinibatchVersion.current,
                         docString: onnxDocString(labelType: labelType), metadata: onnxMetadata)
    }

    /// The preprocessing stage, between the input and the first layer:
    ///
    /// - imputation (numeric columns with `data.missing`): an empty cell comes in as NaN;
    ///   M = IsNaN(X), X' = Where(M, fill, X) (a column without a fill value keeps its NaN, as
    ///   minibatch refuses such a cell); with missing indicators the flags Cast(M) follow
    ///   their column's value, put in the model's feature order by Concat and Gather;
    /// - standardisation, S = (X' - mean) / scale, as Sub then Div in float32
    ///   (``Standardizer/transform(_:)``'s arithmetic).
    ///
    /// One-hot columns (``onnxUnsupportedColumn``) would go here too.
    func onnxPreprocessing(_ x: String, into g: inout ONNXGraphBuilder) -> String {
        var features = x
        if let columns = onnxImputedColumns {
            let c = columns.count
            let missing = g.add("IsNaN", [x], output: "is_missing")
            if columns.contains(where: { $0.fill != nil }) {
                let fill = g.constant(.floats("fill_values", dims: [c], columns.map { $0.fill ?? .nan }))
                features = g.add("Where", [missing, fill, x], output: "filled")
            }
            if columns.contains(where: \.indicator) {
                let flags = g.add("Cast", [missing], attributes: [ONNXAttribute("to", .int(ONNXElementType.float.rawValue))],
                                  output: "missing_flags")
                let both = g.add("Concat", [features, flags], attributes: [ONNXAttribute("axis", .int(1))], output: "values_and_flags")
                var order: [Int64] = []
                for (j, column) in columns.enumerated() {
                    order.append(Int64(j))
                    if column.indicator { order.append(Int64(c + j)) }
                }
                let index = g.constant(.int64s("feature_order", dims: [order.count], order))
                features = g.add("Gather", [both, index], attributes: [ONNXAttribute("axis", .int(1))], output: "imputed")
            }
        }
        guard let scaler else { return features }
        let d = featureNames.count
        let mean = g.constant(.floats("scaler_mean", dims: [d], scaler.mean))
        let scale = g.constant(.floats("scaler_scale", dims: [d], scaler.scale))
        let centred = g.add("Sub", [features, mean], output: "centered")
        return g.add("Div", [centred, scale], output: "standardized")
    }

    /// The layers: one Gemm per dense layer (Y = X W^T + b, W as stored, (outputs, inputs)),
    /// the hidden ones followed by the activation. Returns the logits, [N, O] with O = K, or
    /// 1 for a model with one sigmoid unit.
    func onnxLayers(_ x: String, into g: inout ONNXGraphBuilder) -> String {
        let gemm = [ONNXAttribute("transB", .int(1))]
        switch model {
        case .linear(let m):
            let o = m.outputCount, d = m.featureCount
            let w = g.constant(.floats("weights", dims: [o, d], m.weights))
            let b = g.constant(.floats("bias", dims: [o], m.bias))
            return g.add("Gemm", [x, w, b], attributes: gemm, output: "logits")
        case .mlp(let m):
            var a = x
            for (l, layer) in m.layers.enumerated() {
                let number = l + 1
                let w = g.constant(.floats("layer\(number)_weights", dims: [layer.outputs, layer.inputs], m.weights(layer: l)))
                let b = g.constant(.floats("layer\(number)_bias", dims: [layer.outputs], m.bias(layer: l)))
                if l == m.layers.count - 1 { return g.add("Gemm", [a, w, b], attributes: gemm, output: "logits") }
                let z = g.add("Gemm", [a, w, b], attributes: gemm, output: "layer\(number)_linear")
                a = g.add(m.activation.onnxOperator, [z], output: "layer\(number)_\(m.activation.rawValue)")
            }
            preconditionFailure("a network has at least one layer")
        }
    }

    /// The output head: probabilities and the predicted label from the logits.
    func onnxHead(_ logits: String, into g: inout ONNXGraphBuilder) -> (probabilities: String, label: String) {
        let classLabels = g.constant(onnxClassLabels)
        let index: String
        let probabilities: String
        let outputs = switch model {
        case .linear(let m): m.outputCount
        case .mlp(let m): m.outputCount
        }
        if outputs == 1 {
            let p = g.add("Sigmoid", [logits], output: "positive_probability")
            let one = g.constant(.floats("one", dims: [], [1]))
            let q = g.add("Sub", [one, p], output: "negative_probability")
            probabilities = g.add("Concat", [q, p], attributes: [ONNXAttribute("axis", .int(1))], output: "probabilities")
            let zero = g.constant(.floats("zero", dims: [], [0]))
            let positive = g.add("Greater", [logits, zero], output: "is_positive")
            let column = g.add("Cast", [positive], attributes: [ONNXAttribute("to", .int(ONNXElementType.int64.rawValue))],
                               output: "label_index_column")
            let flat = g.constant(.int64s("flat_shape", dims: [1], [-1]))
            index = g.add("Reshape", [column, flat], output: "label_index")
        } else {
            probabilities = g.add("Softmax", [logits], attributes: [ONNXAttribute("axis", .int(-1))], output: "probabilities")
            index = g.add("ArgMax", [logits], attributes: [ONNXAttribute("axis", .int(1)), ONNXAttribute("keepdims", .int(0))],
                          output: "label_index")
        }
        let label = g.add("Gather", [classLabels, index], attributes: [ONNXAttribute("axis", .int(0))], output: "label")
        return (probabilities, label)
    }

    /// The classes as int64 when each is an integer in its plain decimal form, else as strings.
    var onnxClassLabels: ONNXTensor {
        let integers = classes.compactMap { c in Int64(c).flatMap { String($0) == c ? $0 : nil } }
        if integers.count == classes.count { return .int64s("class_labels", dims: [classes.count], integers) }
        return .strings("class_labels", dims: [classes.count], classes)
    }

    /// Metadata: the feature names, the input columns (the feature names unless imputation
    /// adds missing indicators) and the classes as JSON arrays, the label column, the model type.
    var onnxMetadata: [(key: String, value: String)] {
        [("feature_names", JSONValue.array(featureNames.map { .string($0) }).jsonText),
         ("input_columns", JSONValue.array(onnxInputColumns.map { .string($0) }).jsonText),
         ("classes", JSONValue.array(classes.map { .string($0) }).jsonText),
         ("label", label),
         ("model_type", model.typeName),
         ("standardized", scaler == nil ? "false" : "true")]
    }

    /// What the file computes, in words, with the input columns (the first 100 of them; all
    /// are in the metadata).
    func onnxDocString(labelType: ONNXElementType) -> String {
        let shown = 100, columns = onnxInputColumns
        var names = columns.prefix(shown).joined(separator: ", ")
        if columns.count > shown { names += ", ... (\(columns.count - shown) more, all in metadata \"input_columns\")" }
        let kind = switch model {
        case .linear(let m): m.kind == .softmax ? "softmax regression" : "logistic regression"
        case .mlp(let m): "neural network (hidden \(m.hidden.map(String.init).joined(separator: ",")), \(m.activation.rawValue))"
        }
        return """
            minibatch \(MinibatchVersion.current) \(kind) classifier of '\(label)'.
            Input 'features': float [N, \(columns.count)], columns: \(names).\(onnxImputedColumns == nil ? "" : " An empty cell is NaN; it is filled inside the graph.")\(scaler == nil ? "" : " Standardised inside the graph.")
            Outputs 'label': \(labelType == .int64 ? "int64" : "string") [N], the most probable class; \
            'probabilities': float [N, \(classes.count)], columns: \(classes.joined(separator: ", ")).
            """
    }
}

extension Activation {
    /// The ONNX operator of the activation.
    var onnxOperator: String {
        switch self {
        case .relu: "Relu"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        }
    }
}
