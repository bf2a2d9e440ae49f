import DataParallel
import Foundation
import Testing
@testable import Learning

/// The exported graph, decoded back from its bytes: header, inputs and outputs, node order and
/// constants. (ONNX Runtime's results are compared with minibatch's by scripts/check_onnx.py.)
@Suite struct ONNXExportTests {
    struct Graph {
        var model: DecodedMessage
        var graph: DecodedMessage
        var opTypes: [String]
        var initializers: [String: DecodedMessage]
    }

    func decode(_ saved: SavedModel) throws -> Graph {
        let model = try DecodedMessage(try saved.onnxBytes())
        let graph = try #require(try model.messages(7).first)
        let nodes = try graph.messages(1)
        var inits: [String: DecodedMessage] = [:]
        for t in try graph.messages(5) { inits[t.string(8) ?? ""] = t }
        return Graph(model: model, graph: graph, opTypes: nodes.map { $0.string(4) ?? "" }, initializers: inits)
    }

    func softmax() -> SavedModel {
        let w: [Float] = [1, -2, 0.5, 3, 0, -1]
        let m = LinearModel(kind: .softmax, featureCount: 2, classCount: 3, weights: w, bias: [0.1, 0.2, 0.3])
        return SavedModel(model: m, classes: ["setosa", "versicolor", "virginica"], featureNames: ["a", "b"],
                          label: "species", scaler: Standardizer(mean: [1, 2], scale: [0.5, 4]))
    }

    @Test func headerNamesIRVersionOpsetAndProducer() throws {
        let g = try decode(softmax())
        #expect(g.model.int(1) == 8)
        #expect(g.model.string(2) == "minibatch" && g.model.string(3) == MinibatchVersion.current)
        let opset = try #require(try g.model.messages(8).first)
        #expect(opset.string(1) == "" && opset.int(2) == 17)
        var meta: [String: String] = [:]
        for e in try g.model.messages(14) { meta[e.string(1) ?? ""] = e.string(2) }
        #expect(meta["feature_names"] == "[\"a\",\"b\"]")
        #expect(meta["classes"] == "[\"setosa\",\"versicolor\",\"virginica\"]")
        #expect(meta["label"] == "species" && meta["model_type"] == "softmax")
        #expect(g.model.string(6)?.contains("columns: a, b.") == true)
    }

    @Test func softmaxGraphStandardisesThenScores() throws {
        let saved = softmax()
        let g = try decode(saved)
        #expect(g.opTypes == ["Sub", "Div", "Gemm", "Softmax", "ArgMax", "Gather"])
        let nodes = try g.graph.messages(1)
        #expect(nodes[0].strings(1) == ["features", "scaler_mean"])
        #expect(nodes[2].strings(1) == ["standardized", "weights", "bias"])
        // Gemm's transB = 1 with its type INT set; Softmax over the last axis.
        let transB = try #require(try nodes[2].messages(5).first)
        #expect(transB.string(1) == "transB" && transB.int(3) == 1 && transB.int(20) == 2)
        #expect(try nodes[3].messages(5).first?.int(3) == -1)
        // Constants hold the model's numbers: W as (K, d), b, mean and scale.
        let weights = try #require(g.initializers["weights"])
        #expect(try weights.packedInts(1) == [3, 2] && weights.int(2) == 1)
        #expect(DecodedMessage.floats(weights.bytes(9)[0]) == saved.model.linear!.weights)
        #expect(DecodedMessage.floats(try #require(g.initializers["scaler_scale"]).bytes(9)[0]) == [0.5, 4])
        // String labels go to string_data.
        let labels = try #require(g.initializers["class_labels"])
        #expect(labels.int(2) == 8 && labels.strings(6) == saved.classes)
        // Input float [N, d] with the batch dimension symbolic; outputs label then probabilities.
        let input = try #require(try g.graph.messages(11).first)
        #expect(input.string(1) == "features")
        let tensorType = try #require(try input.messages(2).first?.messages(1).first)
        #expect(tensorType.int(1) == 1)
        let dims = try #require(try tensorType.messages(2).first).messages(1)
        #expect(dims.count == 2 && dims[0].string(2) == "N" && dims[1].int(1) == 2)
        let outputs = try g.graph.messages(12)
        #expect(outputs.map { $0.string(1) } == ["label", "probabilities"])
        #expect(try outputs[0].messages(2).first?.messages(1).first?.int(1) == 8)
    }

    @Test func logisticUsesOneLogitWithTheFirstClassAtZero() throws {
        let m = LinearModel(kind: .logistic, featureCount: 3, classCount: 2, weights: [1, 2, 3], bias: [-1])
        let saved = SavedModel(model: m, classes: ["0", "1"], featureNames: ["x", "y", "z"], label: "y", scaler: nil)
        let g = try decode(saved)
        #expect(g.opTypes == ["Gemm", "Sigmoid", "Sub", "Concat", "Greater", "Cast", "Reshape", "Gather"])
        #expect(try g.graph.messages(1)[0].strings(1) == ["features", "weights", "bias"])
        // Integer classes become an int64 label tensor and an int64 output.
        let labels = try #require(g.initializers["class_labels"])
        #expect(labels.int(2) == 7 && labels.bytes(9)[0] == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(try g.graph.messages(12)[0].messages(2).first?.messages(1).first?.int(1) == 7)
    }

    @Test func labelsAreIntegersOnlyInPlainForm() {
        func type(_ classes: [String]) -> ONNXElementType {
            let m = LinearModel(kind: .logistic, featureCount: 1, classCount: 2)
            return SavedModel(model: m, classes: classes, featureNames: ["x"], label: "y", scaler: nil).onnxClassLabels.elementType
        }
        #expect(type(["-1", "1"]) == .int64)
        #expect(type(["-1", "+1"]) == .string)
        #expect(type(["01", "1"]) == .string)
        #expect(type(["spam", "ham"]) == .string)
    }

    @Test func networkHasAGemmAndActivationPerHiddenLayer() throws {
        for activation in Activation.allCases {
            let mlp = MLP(featureCount: 4, hidden: [5, 3], activation: activation, classCount: 3).initialized(seed: 7)
            let saved = SavedModel(model: .mlp(mlp), classes: ["a", "b", "c"], featureNames: ["p", "q", "r", "s"],
                                   label: "y", scaler: nil)
            let g = try decode(saved)
            let f = activation.onnxOperator
            #expect(g.opTypes == ["Gemm", f, "Gemm", f, "Gemm", "Softmax", "ArgMax", "Gather"])
            let w2 = try #require(g.initializers["layer2_weights"])
            #expect(try w2.packedInts(1) == [3, 5])
            #expect(DecodedMessage.floats(w2.bytes(9)[0]) == mlp.weights(layer: 1))
        }
        // Two classes: one sigmoid output unit, as the logistic head.
        let binary = MLP(featureCount: 2, hidden: [4], activation: .tanh, classCount: 2).initialized(seed: 1)
        let g = try decode(SavedModel(model: .mlp(binary), classes: ["no", "yes"], featureNames: ["u", "v"], label: "y", scaler: nil))
        #expect(g.opTypes == ["Gemm", "Tanh", "Gemm", "Sigmoid", "Sub", "Concat", "Greater", "Cast", "Reshape", "Gather"])
    }

    /// Rows that reach both sides of every logit: a fixed formula, wide enough to saturate.
    func rows(_ n: Int, features d: Int) -> [Float] {
        (0..<(n * d)).map { i in Float(3 * sin(Double(i) * 0.77) + Double(i % d) * 0.1) }
    }

    /// The graph run from its bytes gives the model's own probabilities (within 1e-5) and
    /// exactly its labels.
    func expectGraphMatchesScores(_ saved: SavedModel, rows n: Int = 40, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let d = saved.featureNames.count
        let raw = rows(n, features: d)
        var standardized = raw
        saved.scaler?.transform(&standardized)
        let data = Dataset(features: standardized, labels: [Int32](repeating: 0, count: n), classes: saved.classes,
                           featureNames: saved.featureNames)
        let scores = saved.score(.dense(data), pool: try WorkerPool(workers: 1))
        let out = try ONNXGraphRunner(onnx: try saved.onnxBytes()).run(features: raw, rows: n)
        let p = try #require(out["probabilities"], sourceLocation: sourceLocation)
        #expect(p.shape == [n, saved.classes.count], sourceLocation: sourceLocation)
        let worst = zip(p.floats, scores.probabilities).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "probabilities differ by \(worst)", sourceLocation: sourceLocation)
        let label = try #require(out["label"], sourceLocation: sourceLocation)
        let expected = scores.predicted.map { saved.classes[Int($0)] }
        let got = label.strings.isEmpty ? label.ints.map { String($0) } : label.strings
        #expect(got == expected, sourceLocation: sourceLocation)
    }

    @Test func theGraphComputesTheModelsScores() throws {
        try expectGraphMatchesScores(softmax())
        var g = SplitMix64(seed: 3)
        let logistic = LinearModel(kind: .logistic, featureCount: 3, classCount: 2,
                                   weights: (0..<3).map { _ in Float(g.nextGaussian()) }, bias: [0.2])
        try expectGraphMatchesScores(SavedModel(model: logistic, classes: ["-1", "1"], featureNames: ["x", "y", "z"], label: "y",
                                                scaler: Standardizer(mean: [0.5, -1, 2], scale: [2, 0.5, 1])))
        for activation in Activation.allCases {
            for k in [2, 4] {
                let mlp = MLP(featureCount: 3, hidden: [6, 5], activation: activation, classCount: k).initialized(seed: 11)
                let classes = (0..<k).map { "class \($0)" }
                try expectGraphMatchesScores(SavedModel(model: .mlp(mlp), classes: classes, featureNames: ["a", "b", "c"],
                                                        label: "y", scaler: Standardizer(mean: [0, 1, 0], scale: [1, 2, 3])))
            }
        }
    }

    @Test func theRunnerNoticesAWrongGraph() throws {
        // The comparison above can fail: a graph with a transposed weight matrix scores otherwise.
        let saved = softmax()
        var bytes = try saved.onnxBytes()
        let w = saved.model.linear!.weights  // (3, 2): swap two weights inside raw_data
        let raw = w.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }
        let at = try #require(bytes.indices.first { bytes[$0..<min($0 + raw.count, bytes.count)].elementsEqual(raw) })
        bytes.replaceSubrange((at)..<(at + 8), with: raw[4..<8] + raw[0..<4])
        let n = 10
        let out = try ONNXGraphRunner(onnx: bytes).run(features: rows(n, features: 2), rows: n)
        let good = try ONNXGraphRunner(onnx: try saved.onnxBytes()).run(features: rows(n, features: 2), rows: n)
        #expect(out["probabilities"]!.floats != good["probabilities"]!.floats)
    }

    @Test func preprocessingTheExportDoesNotKnowIsAnErrorNotIgnored() throws {
        let saved = softmax()
        #expect(SavedModel.unsupportedONNXKey(in: saved.jsonValue) == nil)
        guard case .object(let members) = saved.jsonValue else { Issue.record("not an object"); return }
        let withCategories = JSONValue.object(members + [("categories", .object([("color", .array([.string("red")]))]))])
        #expect(SavedModel.unsupportedONNXKey(in: withCategories) == "categories")
        let withFill = JSONValue.object(members.map { m in
            m.key == "scaler" ? ("scaler", .object([("mean", .array([])), ("scale", .array([])), ("fill", .array([]))])) : m
        })
        #expect(SavedModel.unsupportedONNXKey(in: withFill) == "scaler.fill")
    }

    @Test func columnsExportNumericAsTheyAreTextOneHot() throws {
        var saved = softmax()
        // Numeric columns as they are, some columns ignored: nothing to compute, one input.
        saved.preprocessing = ColumnPreprocessing(columns: [.numeric(.init(name: "a", fill: nil, indicator: false)),
                                                            .numeric(.init(name: "b", fill: nil, indicator: false))],
                                                  ignored: ["id"])
        #expect(saved.onnxImputedColumns == nil && saved.onnxCategoricalColumns.isEmpty)
        #expect(try decode(saved).opTypes.prefix(2) == ["Sub", "Div"])
        let dir = TempFolder()
        defer { dir.cleanup() }
        try saved.writeONNX(to: dir.file("ok.onnx"), modelFile: "m.json")
        // A fill value is computed in the graph.
        saved.preprocessing!.columns[1] = .numeric(.init(name: "b", fill: 2.5, indicator: false))
        #expect(saved.onnxImputedColumns?.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["ok.onnx"])
    }

    /// Text columns come in as strings and are one-hot encoded in the graph exactly as
    /// minibatch encodes them: an empty cell as the fill category (or zeros), an unseen
    /// category as zeros; the features reach the first layer in the model's order.
    @Test func oneHotColumnsAreEncodedInTheGraphAsMinibatchEncodesThem() throws {
        // Columns: plan (text: basic, pro; empty -> pro), x (number, fill 0.5, flagged),
        // region (text: n, s, w; empty -> zeros). Features: plan=basic, plan=pro, x, x=missing,
        // region=n, region=s, region=w.
        let columns: [ColumnPreprocessing.Column] = [
            .categorical(.init(name: "plan", categories: ["basic", "pro"], fill: "pro", emptyIsError: false)),
            .numeric(.init(name: "x", fill: 0.5, indicator: true)),
            .categorical(.init(name: "region", categories: ["n", "s", "w"], fill: nil, emptyIsError: false)),
        ]
        let names = ["plan=basic", "plan=pro", "x", "x=missing", "region=n", "region=s", "region=w"]
        var g = SplitMix64(seed: 9)
        let m = LinearModel(kind: .softmax, featureCount: 7, classCount: 3,
                            weights: (0..<21).map { _ in Float(g.nextGaussian()) }, bias: [0.3, 0, -0.1])
        var saved = SavedModel(model: m, classes: ["a", "b", "c"], featureNames: names, label: "t",
                               scaler: Standardizer(mean: [0.4, 0.5, 1, 0.1, 0.3, 0.3, 0.3], scale: [0.5, 0.5, 2, 0.3, 0.4, 0.4, 0.4]))
        saved.preprocessing = ColumnPreprocessing(columns: columns, ignored: ["id"])
        #expect(saved.onnxInputColumns == ["x"] && saved.onnxCategoricalColumns.map(\.name) == ["plan", "region"])
        let graph = try decode(saved)
        #expect(graph.opTypes.filter { $0 == "LabelEncoder" || $0 == "OneHot" }.count == 4)
        let plans = ["basic", "pro", "", "enterprise", "pro", "basic"]
        let regions = ["n", "", "w", "s", "east", "n"]
        let xs: [Float] = [1, .nan, -2, 3.5, .nan, 0]
        let n = plans.count
        // The features by hand, then standardised and scored by the model.
        var features: [Float] = []
        for r in 0..<n {
            let plan = plans[r].isEmpty ? "pro" : plans[r]
            features += [plan == "basic" ? 1 : 0, plan == "pro" ? 1 : 0, xs[r].isNaN ? 0.5 : xs[r], xs[r].isNaN ? 1 : 0]
            features += ["n", "s", "w"].map { regions[r] == $0 ? 1 : 0 }
        }
        saved.scaler!.transform(&features)
        let data = Dataset(features: features, labels: [Int32](repeating: 0, count: n), classes: saved.classes, featureNames: names)
        let scores = saved.score(.dense(data), pool: try WorkerPool(workers: 1))
        let text = (0..<n).flatMap { [plans[$0], regions[$0]] }
        let out = try ONNXGraphRunner(onnx: try saved.onnxBytes()).run(features: xs, rows: n, categories: text)
        let p = try #require(out["probabilities"])
        #expect(p.floats.count == scores.probabilities.count)
        #expect(zip(p.floats, scores.probabilities).allSatisfy { abs($0 - $1) <= 1e-5 })
        #expect(try #require(out["label"]).strings == scores.predicted.map { saved.classes[Int($0)] })
        // Two inputs, the text one of strings; both opsets imported.
        let inputs = try graph.graph.messages(11)
        #expect(inputs.map { $0.string(1) } == ["features", "categories"])
        let opsets = try graph.model.messages(8).map { "\($0.string(1) ?? "")@\($0.int(2) ?? 0)" }
        #expect(opsets == ["@17", "ai.onnx.ml@2"])
        var meta: [String: String] = [:]
        for e in try graph.model.messages(14) { meta[e.string(1) ?? ""] = e.string(2) }
        #expect(meta["input_columns"] == "[\"x\"]" && meta["categorical_columns"] == "[\"plan\",\"region\"]")
    }

    @Test func emptyCellsAreFilledInTheGraphAsMinibatchFillsThem() throws {
        // Columns a (fill 1.5, with a missing indicator), b (no fill) and c (fill -2): the
        // features are a, a=missing, b, c.
        let columns: [ColumnPreprocessing.NumericColumn] = [.init(name: "a", fill: 1.5, indicator: true),
                                                            .init(name: "b", fill: nil, indicator: false),
                                                            .init(name: "c", fill: -2, indicator: false)]
        var g = SplitMix64(seed: 5)
        let m = LinearModel(kind: .softmax, featureCount: 4, classCount: 3,
                            weights: (0..<12).map { _ in Float(g.nextGaussian()) }, bias: [0.1, -0.2, 0.3])
        var saved = SavedModel(model: m, classes: ["x", "y", "z"], featureNames: ["a", "a=missing", "b", "c"], label: "t",
                               scaler: Standardizer(mean: [1, 0.2, -1, 0.5], scale: [2, 0.4, 1, 3]))
        saved.preprocessing = ColumnPreprocessing(columns: columns.map { .numeric($0) }, ignored: [])
        let graph = try decode(saved)
        #expect(graph.opTypes.prefix(6) == ["IsNaN", "Where", "Cast", "Concat", "Gather", "Sub"])
        // Inputs with empty cells (NaN) in a and c; b always present.
        let n = 12
        var raw = rows(n, features: 3)
        for r in stride(from: 0, to: n, by: 3) { raw[r * 3] = .nan }
        for r in stride(from: 1, to: n, by: 4) { raw[r * 3 + 2] = .nan }
        // The features by hand, then standardised and scored by the model.
        var features: [Float] = []
        for r in 0..<n {
            let a = raw[r * 3], b = raw[r * 3 + 1], c = raw[r * 3 + 2]
            features += [a.isNaN ? 1.5 : a, a.isNaN ? 1 : 0, b, c.isNaN ? -2 : c]
        }
        saved.scaler!.transform(&features)
        let data = Dataset(features: features, labels: [Int32](repeating: 0, count: n), classes: saved.classes,
                           featureNames: saved.featureNames)
        let scores = saved.score(.dense(data), pool: try WorkerPool(workers: 1))
        let out = try ONNXGraphRunner(onnx: try saved.onnxBytes()).run(features: raw, rows: n)
        let p = try #require(out["probabilities"])
        #expect(zip(p.floats, scores.probabilities).allSatisfy { abs($0 - $1) <= 1e-5 })
        #expect(try #require(out["label"]).strings == scores.predicted.map { saved.classes[Int($0)] })
        // The input is the three columns; the metadata says so.
        let input = try #require(try graph.graph.messages(11).first?.messages(2).first?.messages(1).first?.messages(2).first).messages(1)
        #expect(input.count == 2 && input[1].int(1) == 3)
        var meta: [String: String] = [:]
        for e in try graph.model.messages(14) { meta[e.string(1) ?? ""] = e.string(2) }
        #expect(meta["input_columns"] == "[\"a\",\"b\",\"c\"]" && meta["feature_names"] == "[\"a\",\"a=missing\",\"b\",\"c\"]")
    }

    @Test func writesAtomically() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let saved = softmax()
        try saved.writeONNX(to: dir.file("m.onnx"))
        #expect(FileManager.default.contents(atPath: dir.file("m.onnx")).map { [UInt8]($0) } == (try saved.onnxBytes()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.onnx"])
    }
}
