import Foundation

/// A saved model as an ONNX graph that computes what `minibatch predict` does.
///
/// Input `features`: float [N, c], the numeric input columns (the metadata key
/// `input_columns`; without column preprocessing, the model's feature names); with one-hot
/// columns also `categories`: string [N, m], the text columns (`categorical_columns`).
/// Outputs `probabilities`: float [N, K], columns in the order of the classes; `label`: [N]
/// the most probable class, int64 when every class is an integer written plainly ("3", "-1";
/// not "+1" or "03"), else string.
///
/// The graph, in stages:
///
///     columns:        fill empty cells, missing flags    IsNaN, Where, Cast
///                     one-hot text columns              Gather, LabelEncoder (ai.onnx.ml), OneHot
///                     the features in the model's order Concat, Gather
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
                             + "the export handles standardisation (\"scaler\": mean and scale) and the column preprocessing section")
        }
        try AtomicFile.write(bytes: try onnxBytes(), to: path)
    }

    /// The model file keys the export knows; anything else a model file gains changes what
    /// the model computes, so exporting without it would give wrong probabilities.
    static let onnxKnownKeys: Set<String> = [
        "format", "version", "model", "label", "weight", "classes", "feature_names", "preprocessing", "scaler", "weights", "bias",
        "layers", "config", "metrics", "training", "evaluation",
    ]

    /// The numeric columns: the model's features, or with column preprocessing its numeric
    /// input columns.
    var onnxNumericColumns: [ColumnPreprocessing.NumericColumn] {
        guard let preprocessing else { return featureNames.map { .init(name: $0, fill: nil, indicator: false) } }
        return preprocessing.columns.compactMap { column in
            if case .numeric(let c) = column { return c }
            return nil
        }
    }

    /// The one-hot encoded text columns, in the file's order.
    var onnxCategoricalColumns: [ColumnPreprocessing.CategoricalColumn] {
        guard let preprocessing else { return [] }
        return preprocessing.columns.compactMap { column in
            if case .categorical(let c) = column { return c }
            return nil
        }
    }

    /// The columns of the graph's `features` input: the numeric input columns (a missing
    /// indicator is computed from its column; ignored and text columns are not in it).
    var onnxInputColumns: [String] { onnxNumericColumns.map(\.name) }

    /// The numeric columns, when any of them fills empty cells or has a missing indicator
    /// (else their values are the features as they are).
    var onnxImputedColumns: [ColumnPreprocessing.NumericColumn]? {
        let numeric = onnxNumericColumns
        return numeric.contains(where: { $0.fill != nil || $0.indicator }) ? numeric : nil
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
        let input = "features", text = "categories"
        var g = ONNXGraphBuilder(reserved: [input, text])
        let prepared = onnxPreprocessing(input, categories: text, into: &g)
        let logits = onnxLayers(prepared, into: &g)
        let labelType = onnxClassLabels.elementType
        let (probabilities, label) = onnxHead(logits, into: &g)
        let n = ONNXValueInfo.Dimension.symbolic("N")
        var inputs: [ONNXValueInfo] = []
        if !onnxInputColumns.isEmpty {
            inputs.append(ONNXValueInfo(name: input, elementType: .float, shape: [n, .fixed(onnxInputColumns.count)],
                                        docString: "one row per sample; columns: the input_columns metadata, in order"
                                            + (onnxImputedColumns == nil ? "" : "; an empty cell is NaN")))
        }
        let categorical = onnxCategoricalColumns
        if !categorical.isEmpty {
            inputs.append(ONNXValueInfo(name: text, elementType: .string, shape: [n, .fixed(categorical.count)],
                                        docString: "the text columns of each row, in the order of the categorical_columns "
                                            + "metadata; an empty cell is the empty string"))
        }
        let graph = ONNXGraph(
            name: "minibatch_\(model.typeName)", nodes: g.nodes, initializers: g.initializers,
            inputs: inputs,
            outputs: [ONNXValueInfo(name: label, elementType: labelType, shape: [n],
                                    docString: "the most probable class"),
                      ONNXValueInfo(name: probabilities, elementType: .float, shape: [n, .fixed(classes.count)],
                                    docString: "class probabilities; columns: the classes metadata, in order")])
        return ONNXModel(graph: graph, producerName: "minibatch", producerVersion: MinibatchVersion.current,
                         docString: onnxDocString(labelType: labelType), metadata: onnxMetadata)
    }

    /// The preprocessing stage, between the inputs and the first layer:
    ///
    /// - imputation (numeric columns with `data.missing`): an empty cell comes in as NaN;
    ///   M = IsNaN(X), X' = Where(M, fill, X) (a column without a fill value keeps its NaN, as
    ///   minibatch refuses such a cell); with missing indicators the flags Cast(M);
    /// - one-hot (text columns, `data.categorical`), per column c with categories
    ///   k = 0..<K_c: its text Gather(C, c); the category's index LabelEncoder(text)
    ///   (ai.onnx.ml), with an empty cell mapped to the fill category's index (data.missing
    ///   "most_frequent") and any other text, an unseen category or an empty cell without a
    ///   fill, to K_c; then OneHot(index, K_c), which is all zeros for K_c, as minibatch
    ///   encodes such a cell;
    /// - the features in the model's order: Concat of the blocks, then Gather of the model's
    ///   columns (left out when the blocks are the features already);
    /// - standardisation, S = (X' - mean) / scale, as Sub then Div in float32
    ///   (``Standardizer/transform(_:)``'s arithmetic).
    func onnxPreprocessing(_ x: String, categories text: String, into g: inout ONNXGraphBuilder) -> String {
        // Blocks of columns side by side; `positions` are the model's features in the blocks.
        var blocks: [String] = []
        var width = 0
        var valueAt: [Int] = [], flagAt: [Int] = []
        let numeric = onnxNumericColumns
        if !numeric.isEmpty {
            var values = x
            var flags: String? = nil
            if let columns = onnxImputedColumns {
                let missing = g.add("IsNaN", [x], output: "is_missing")
                if columns.contains(where: { $0.fill != nil }) {
                    let fill = g.constant(.floats("fill_values", dims: [columns.count], columns.map { $0.fill ?? .nan }))
                    values = g.add("Where", [missing, fill, x], output: "filled")
                }
                if columns.contains(where: \.indicator) {
                    flags = g.add("Cast", [missing], attributes: [ONNXAttribute("to", .int(ONNXElementType.float.rawValue))],
                                  output: "missing_flags")
                }
            }
            blocks.append(values)
            valueAt = Array(0..<numeric.count)
            width = numeric.count
            if let flags {
                blocks.append(flags)
                flagAt = Array(width..<(width + numeric.count))
                width += numeric.count
            }
        }
        var categoryAt: [[Int]] = []
        for (j, c) in onnxCategoricalColumns.enumerated() {
            let k = c.categories.count
            let column = g.add("Gather", [text, g.constant(.int64s("text_column\(j + 1)", dims: [], [Int64(j)]))],
                               attributes: [ONNXAttribute("axis", .int(1))], output: "text\(j + 1)")
            var keys = c.categories, indices = (0..<k).map { Int64($0) }
            if let fill = c.fill, let at = c.categories.firstIndex(of: fill), !c.categories.contains("") {
                keys.append("")
                indices.append(Int64(at))
            }
            let index = g.add("LabelEncoder", [column],
                              attributes: [ONNXAttribute("keys_strings", .strings(keys)), ONNXAttribute("values_int64s", .ints(indices)),
                                           ONNXAttribute("default_int64", .int(Int64(k)))],
                              domain: ONNXModel.mlDomain, output: "category_index\(j + 1)")
            let depth = g.constant(.int64s("category_count\(j + 1)", dims: [], [Int64(k)]))
            let offOn = g.constant(.floats("one_hot_values\(j + 1)", dims: [2], [0, 1]))
            blocks.append(g.add("OneHot", [index, depth, offOn], attributes: [ONNXAttribute("axis", .int(-1))],
                                output: "one_hot\(j + 1)"))
            categoryAt.append(Array(width..<(width + k)))
            width += k
        }
        // The model's features, column by column, in the blocks.
        var positions: [Int] = []
        if let preprocessing {
            var i = 0, j = 0
            for column in preprocessing.columns {
                switch column {
                case .numeric(let c):
                    positions.append(valueAt[i])
                    if c.indicator { positions.append(flagAt[i]) }
                    i += 1
                case .categorical:
                    positions += categoryAt[j]
                    j += 1
                }
            }
        } else {
            positions = valueAt
        }
        var features = blocks[0]
        if blocks.count > 1 {
            features = g.add("Concat", blocks, attributes: [ONNXAttribute("axis", .int(1))], output: "columns")
        }
        if positions != Array(0..<width) {
            let order = g.constant(.int64s("feature_order", dims: [positions.count], positions.map { Int64($0) }))
            features = g.add("Gather", [features, order], attributes: [ONNXAttribute("axis", .int(1))], output: "model_features")
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

    /// Metadata: the feature names, the input columns (the numeric ones: the feature names
    /// unless imputation adds missing indicators or text columns are one-hot encoded), the
    /// text columns and the classes as JSON arrays, the label column, the model type.
    var onnxMetadata: [(key: String, value: String)] {
        [("feature_names", JSONValue.array(featureNames.map { .string($0) }).jsonText),
         ("input_columns", JSONValue.array(onnxInputColumns.map { .string($0) }).jsonText),
         ("categorical_columns", JSONValue.array(onnxCategoricalColumns.map { .string($0.name) }).jsonText),
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
            Input 'features': float [N, \(columns.count)], columns: \(names).\(onnxImputedColumns == nil ? "" : " An empty cell is NaN; it is filled inside the graph.")\(onnxTextInputDoc)\(scaler == nil ? "" : " Standardised inside the graph.")
            Outputs 'label': \(labelType == .int64 ? "int64" : "string") [N], the most probable class; \
            'probabilities': float [N, \(classes.count)], columns: \(classes.joined(separator: ", ")).
            """
    }
}

extension SavedModel {
    /// The doc string's sentence on the `categories` input, or "".
    var onnxTextInputDoc: String {
        let text = onnxCategoricalColumns
        if text.isEmpty { return "" }
        return " Input 'categories': string [N, \(text.count)], columns: \(text.map(\.name).joined(separator: ", ")), "
            + "one-hot encoded inside the graph (an unseen category is all zeros)."
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
