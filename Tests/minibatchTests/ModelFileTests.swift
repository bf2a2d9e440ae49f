import Foundation
import Testing

@Suite("model files")
struct ModelFileTests {
    @Test("model.json holds format, version, classes, feature names, weights (rows x features), bias, scaler, config, metrics")
    func structure() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 60, classes: ["cat", "dog", "emu"], features: 4)
        try box.write(table.csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 2), to: "run.json")
        let r = try box.run(["train", "--config", "run.json", "--out", "out", "--epochs", "3", "--json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")

        let m = try JSONRead.object(try box.read("out/model.json"))
        #expect(m["format"] as? String == "minibatch-model")
        #expect(JSONRead.int(m["version"]) == 1)
        #expect(JSONRead.strings(m["classes"]) == ["cat", "dog", "emu"])
        #expect(JSONRead.strings(m["feature_names"]) == table.featureNames)
        #expect(m["label"] as? String == "label")
        #expect((m["model"] as? [String: Any])?["type"] as? String == "softmax")
        // Softmax: one weight row per class, one weight per feature, one bias per class.
        let weights = try #require(JSONRead.matrix(m["weights"]))
        #expect(weights.count == 3)
        #expect(weights.allSatisfy { $0.count == 4 })
        #expect(weights.joined().allSatisfy { $0.isFinite })
        #expect(JSONRead.doubles(m["bias"])?.count == 3)
        // The scaler is the training data's mean and population standard deviation.
        let scaler = try #require(m["scaler"] as? [String: Any])
        let mean = try #require(JSONRead.doubles(scaler["mean"]))
        let scale = try #require(JSONRead.doubles(scaler["scale"]))
        #expect(mean.count == 4 && scale.count == 4)
        for j in 0..<4 {
            let column = table.features.map { $0[j] }
            let mu = column.reduce(0, +) / Double(column.count)
            let sd = (column.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(column.count)).squareRoot()
            #expect(abs(mean[j] - mu) < 1e-5 * max(1, abs(mu)), "mean of f\(j)")
            #expect(abs(scale[j] - sd) < 1e-5 * max(1, sd), "scale of f\(j)")
        }
        // The resolved config (with the --epochs override) and the run's metrics.
        let config = try #require(m["config"] as? [String: Any])
        #expect(Set(config.keys) == ["data", "model", "training", "workers", "output"])
        #expect(JSONRead.int((config["training"] as? [String: Any])?["epochs"]) == 3)
        let metrics = try #require(m["metrics"] as? [String: Any])
        let summary = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(NSDictionary(dictionary: metrics).isEqual(to: summary), "metrics differ from the --json summary")
    }

    @Test("a two-class model is logistic with one weight row and one bias")
    func logisticShape() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, table: DataTable(rows: 40, classes: ["0", "1"], features: 2))
        let m = try JSONRead.object(try box.read(model))
        #expect((m["model"] as? [String: Any])?["type"] as? String == "logistic")
        #expect(JSONRead.strings(m["classes"]) == ["0", "1"])
        let weights = try #require(JSONRead.matrix(m["weights"]))
        #expect(weights.count == 1 && weights[0].count == 2)
        #expect(JSONRead.doubles(m["bias"])?.count == 1)
    }

    @Test("a truncated model file: evaluate and predict exit 2 with one line naming it")
    func truncatedModel() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        let text = try box.read(model)
        try box.write(String(text.prefix(text.count / 2)), to: "truncated.json")
        for command in ["evaluate", "predict"] {
            let r = try box.run([command, "--model", "truncated.json", "--data", "train.csv"])
            expectOneLineError(r, mentioning: ["truncated.json"])
            #expect(r.stdout.isEmpty, "\(r)")
        }
    }

    @Test("a model file of a newer format version: exit 2 and the message says it is newer")
    func newerVersion() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        let text = try box.read(model)
        try #require(text.contains("\"version\": 1,"))
        try box.write(text.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 99,"), to: "future.json")
        for command in ["evaluate", "predict"] {
            let r = try box.run([command, "--model", "future.json", "--data", "train.csv"])
            expectOneLineError(r, mentioning: ["future.json", "99", "newer"])
            #expect(r.stdout.isEmpty, "\(r)")
        }
    }

    @Test("other broken model files: exit 2 with one line naming the file", arguments: [
        ("missing file", nil),
        ("not a model", #"{"hello": "world"}"#),
        ("wrong weight count", "WEIGHTS"),
        ("empty file", ""),
    ] as [(String, String?)])
    func brokenModels(name: String, contents: String?) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        if var text = contents {
            if text == "WEIGHTS" {
                // Drop the first weight of the first row.
                let original = try box.read(model)
                let start = try #require(original.range(of: "\"weights\": [\n    ["))
                let rest = original[start.upperBound...]
                let comma = try #require(rest.firstIndex(of: ","))
                text = String(original[..<start.upperBound]) + String(rest[rest.index(after: comma)...])
            }
            try box.write(text, to: "broken.json")
        }
        let r = try box.run(["evaluate", "--model", "broken.json", "--data", "train.csv"])
        expectOneLineError(r, mentioning: ["broken.json"])
    }

    @Test("weights are read back exactly: editing them changes the predictions")
    func weightsAreUsed() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, table: DataTable(rows: 40, classes: ["no", "yes"], features: 2))
        var m = try JSONRead.object(try box.read(model))
        // w = 0, b = +5: every row is the positive class "yes" with p = sigmoid(5).
        m["weights"] = [[0.0, 0.0]]
        m["bias"] = [5.0]
        try box.writeJSON(m, to: "edited.json")
        let r = try box.run(["predict", "--model", "edited.json", "--data", "train.csv", "--proba"])
        #expect(r.exitCode == 0, "\(r)")
        let rows = csvRows(r.stdout)
        #expect(rows.first == ["label", "p_no", "p_yes"])
        let expected = 1 / (1 + exp(-5.0))
        for row in rows.dropFirst() {
            #expect(row[0] == "yes" && abs((Double(row[2]) ?? -1) - expected) < 1e-6, "\(row)")
        }
        let labels = try box.run(["predict", "--model", "edited.json", "--data", "train.csv"])
        #expect(Set(labels.stdoutLines.dropFirst()) == ["yes"])
    }
}
