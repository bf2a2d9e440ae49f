import Foundation
import Testing

/// LIBSVM text made by a fixed rule: row i has label k + 1 (k = i mod 3) and stores feature
/// 5k + (i mod 5) + 1 (its class's block), feature 16 + (7i mod 10) and, for every other row,
/// feature 25, so 25 features in all.
func libsvmText(rows: Int, offset: Int = 0) -> String {
    var out = "# rows made by SparseCommandTests\n"
    for r in 0..<rows {
        let i = r + offset, k = i % 3
        var entries = [(5 * k + i % 5 + 1, 1.0 + Double(i % 4) * 0.25), (16 + (7 * i) % 10, 0.5)]
        if i % 2 == 0 { entries.append((25, -1.5)) }
        out += "\(k + 1) " + entries.map { "\($0.0):\($0.1)" }.joined(separator: " ") + "\n"
    }
    return out
}

@Suite struct SparseCommandTests {
    func config(_ training: [String: Any] = [:], model: [String: Any]? = nil, data: [String: Any] = [:]) -> [String: Any] {
        var t: [String: Any] = ["optimizer": "sgd", "epochs": 10, "tol": NSNull(), "batch_size": 8,
                                "learning_rate": "constant", "eta0": 0.1]
        t.merge(training) { $1 }
        var d: [String: Any] = ["train": "train.svm", "test": "test.svm"]
        d.merge(data) { $1 }
        var c: [String: Any] = ["data": d, "training": t]
        if let model { c["model"] = model }
        return c
    }

    func writeData(_ box: Sandbox) throws {
        try box.write(libsvmText(rows: 90), to: "train.svm")
        try box.write(libsvmText(rows: 30, offset: 1), to: "test.svm")
    }

    @Test("train on LIBSVM files, then evaluate and predict LIBSVM files")
    func trainEvaluatePredict() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeData(box)
        try box.writeJSON(config(data: ["standardize": true]), to: "run.json")
        let train = try box.run(["train", "--config", "run.json", "--out", "out", "--json", "--quiet"])
        #expect(train.exitCode == 0, "\(train)")
        let summary = try JSONRead.object(try #require(train.stdoutLines.last))
        let model = try JSONRead.object(try box.read("out/model.json"))
        #expect(JSONRead.strings(model["feature_names"]) == (1...25).map { String($0) })
        #expect(JSONRead.strings(model["classes"]) == ["1", "2", "3"])
        let scaler = try #require(model["scaler"] as? [String: Any])
        #expect(JSONRead.doubles(scaler["mean"]) == [Double](repeating: 0, count: 25), "standardised without centring")
        #expect(JSONRead.doubles(scaler["scale"])?.allSatisfy { $0 > 0 } == true)
        #expect(((model["config"] as? [String: Any])?["data"] as? [String: Any])?["format"] as? String == "auto")
        #expect(JSONRead.int((model["training"] as? [String: Any])?["test_samples"]) == 30)
        let testAccuracy = try #require(JSONRead.number(summary["test_accuracy"]))
        #expect(testAccuracy >= 0.9, "\(summary)")

        let evaluate = try box.run(["evaluate", "--model", "out/model.json", "--data", "test.svm", "--json"])
        #expect(evaluate.exitCode == 0, "\(evaluate)")
        let e = try JSONRead.object(evaluate.stdout)
        #expect(JSONRead.int(e["samples"]) == 30 && JSONRead.number(e["accuracy"]) == testAccuracy)
        #expect(JSONRead.number(e["log_loss"]) == JSONRead.number(summary["test_loss"]))
        // Without a LIBSVM extension, --format says how to read the file.
        try box.write(try box.read("test.svm"), to: "test.txt")
        let named = try box.run(["evaluate", "--model", "out/model.json", "--data", "test.txt", "--format", "libsvm", "--json"])
        #expect(named.exitCode == 0, "\(named)")
        #expect(JSONRead.number(try JSONRead.object(named.stdout)["accuracy"]) == testAccuracy)

        let predict = try box.run(["predict", "--model", "out/model.json", "--data", "test.svm"])
        #expect(predict.exitCode == 0, "\(predict)")
        let rows = csvRows(predict.stdout)
        #expect(rows.first == ["label"] && rows.count == 31)
        #expect(rows.dropFirst().allSatisfy { ["1", "2", "3"].contains($0[0]) })
        let proba = try box.run(["predict", "--model", "out/model.json", "--data", "test.svm", "--proba"])
        let p = csvRows(proba.stdout)
        #expect(proba.exitCode == 0 && p.first == ["label", "p_1", "p_2", "p_3"] && p.count == 31)
        for row in p.dropFirst() { #expect(abs(row.dropFirst().compactMap(Double.init).reduce(0, +) - 1) < 1e-5) }
    }

    @Test("--checkpoint-every and --resume on LIBSVM data: the same model as one uninterrupted run")
    func checkpointAndResume() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeData(box)
        try box.writeJSON(config(["epochs": 5, "penalty": "elasticnet", "alpha": 0.01]), to: "run.json")
        let state = try resumedEqualsWhole(box)
        #expect(JSONRead.number(state["weight_scale"]).map { $0 != 1 } == true, "the checkpoint keeps the l2 scale")
    }

    /// Trains run.json whole and with a checkpoint every 2 epochs, resumes the checkpointed run
    /// on 1 worker after removing its model, and expects the same weights and biases.
    /// - Returns: the checkpoint's "state".
    func resumedEqualsWhole(_ box: Sandbox) throws -> [String: Any] {
        let whole = try box.run(["train", "--config", "run.json", "--out", "whole", "--quiet"])
        let part = try box.run(["train", "--config", "run.json", "--out", "part", "--checkpoint-every", "2", "--quiet"])
        #expect(whole.exitCode == 0 && part.exitCode == 0, "\(whole)\n\(part)")
        let state = try #require(try JSONRead.object(try box.read("part/checkpoint"))["state"] as? [String: Any])
        try FileManager.default.removeItem(atPath: box.path("part/model.json"))
        let resumed = try box.run(["train", "--resume", "part", "--workers", "1", "--quiet"])
        #expect(resumed.exitCode == 0, "\(resumed)")
        let a = try JSONRead.object(try box.read("part/model.json")), b = try JSONRead.object(try box.read("whole/model.json"))
        #expect(JSONRead.matrix(a["weights"]) == JSONRead.matrix(b["weights"]))
        #expect(JSONRead.doubles(a["bias"]) == JSONRead.doubles(b["bias"]))
        return state
    }

    @Test("--checkpoint-every and --resume with adagrad and ftrl: their state in the checkpoint, the same model",
          arguments: ["adagrad", "ftrl"])
    func adaptiveCheckpointAndResume(optimizer: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeData(box)
        try box.writeJSON(config(["optimizer": optimizer, "epochs": 5, "penalty": "elasticnet", "alpha": 0.01, "eta0": 0.05]),
                          to: "run.json")
        let state = try resumedEqualsWhole(box)
        let slots = optimizer == "ftrl" ? 2 : 1
        #expect(JSONRead.doubles(state["optimizer"])?.count == slots * (25 * 3 + 3), "the checkpoint holds the state")
    }

    /// Naming only the file trains with the sparse defaults (docs/sparse.md) and learns.
    @Test("train --data x.svm alone: no scaler, adagrad, a good model")
    func defaultsForLIBSVMData() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeData(box)
        let printed = try box.run(["train", "--data", "train.svm", "--print-config"])
        #expect(printed.exitCode == 0, "\(printed)")
        let c = try JSONRead.object(printed.stdout)
        #expect((c["training"] as? [String: Any])?["optimizer"] as? String == "adagrad")
        #expect((c["data"] as? [String: Any])?["standardize"] as? Bool == false)
        let train = try box.run(["train", "--data", "train.svm", "--test", "test.svm", "--out", "out", "--json", "--quiet"])
        #expect(train.exitCode == 0, "\(train)")
        let model = try JSONRead.object(try box.read("out/model.json"))
        #expect(model["scaler"] == nil || model["scaler"] is NSNull)
        let summary = try JSONRead.object(try #require(train.stdoutLines.last))
        #expect((JSONRead.number(summary["test_accuracy"]) ?? 0) >= 0.9, "\(summary)")
    }

    @Test("adagrad or ftrl on CSV data: exit 2, one line naming training.optimizer", arguments: ["adagrad", "ftrl"])
    func adaptiveOptimizersOnDenseData(optimizer: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("a,label\n1,x\n2,y\n3,x\n4,y\n", to: "d.csv")
        try box.writeJSON(["data": ["train": "d.csv"], "training": ["optimizer": optimizer]], to: "run.json")
        let r = try box.run(["train", "--config", "run.json", "--out", "out", "--quiet"])
        expectOneLineError(r, mentioning: ["run.json", "training.optimizer", "LIBSVM"])
        #expect(!box.exists("out"))
    }

    @Test("bad sparse input: exit 2 and one line naming the file and line or the config key", arguments: [
        ("mlp", "model.type"), ("adam", "training.optimizer"), ("momentum", "training.momentum"),
        ("average", "training.average"), ("test csv", "data.test"),
    ])
    func badTrainingInput(setup: String, key: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeData(box)
        var c = config()
        switch setup {
        case "mlp": c = config(model: ["type": "mlp"])
        case "adam": c = config(["optimizer": "adam"])
        case "momentum": c = config(["momentum": 0.9])
        case "average": c = config(["average": true])
        default: c = config(data: ["test": "test.csv"])
        }
        try box.writeJSON(c, to: "run.json")
        let r = try box.run(["train", "--config", "run.json", "--out", "out", "--quiet"])
        expectOneLineError(r, mentioning: ["run.json", key])
        #expect(!box.exists("out"))
    }

    @Test("predict and evaluate: an index above the model's features, an mlp model, a bad --format")
    func badScoringInput() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeData(box)
        try box.writeJSON(config(["epochs": 2]), to: "run.json")
        let train = try box.run(["train", "--config", "run.json", "--out", "out", "--quiet"])
        #expect(train.exitCode == 0, "\(train)")
        try box.write("1 1:1 3:2\n2 4:1 26:0.5\n", to: "wide.svm")
        for command in ["predict", "evaluate"] {
            let r = try box.run([command, "--model", "out/model.json", "--data", "wide.svm"])
            expectOneLineError(r, mentioning: ["wide.svm:2:", "feature index 26", "25 features"])
        }
        let format = try box.run(["predict", "--model", "out/model.json", "--data", "test.svm", "--format", "arff"])
        expectOneLineError(format, mentioning: ["--format arff"])

        let mlp = try trainSmallModelMLP(in: box)
        try box.write("red 1:1 3:2\n", to: "three.svm")
        let r = try box.run(["predict", "--model", mlp, "--data", "three.svm"])
        expectOneLineError(r, mentioning: ["three.svm", "linear models only"])
    }

    @Test("--init-model continues a linear model on LIBSVM data; a network cannot")
    func warmStart() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeData(box)
        try box.writeJSON(config(["epochs": 2]), to: "run.json")
        let first = try box.run(["train", "--config", "run.json", "--out", "first", "--quiet"])
        #expect(first.exitCode == 0, "\(first)")
        let again = try box.run(["train", "--config", "run.json", "--out", "again", "--init-model", "first/model.json",
                                 "--json", "--quiet"])
        #expect(again.exitCode == 0, "\(again)")
        let a = try JSONRead.object(try box.read("first/model.json")), b = try JSONRead.object(try box.read("again/model.json"))
        #expect(JSONRead.strings(b["feature_names"]) == JSONRead.strings(a["feature_names"]))
        #expect(JSONRead.matrix(b["weights"]) != JSONRead.matrix(a["weights"]), "training went on")
        let mlp = try trainSmallModelMLP(in: box)
        let r = try box.run(["train", "--config", "run.json", "--out", "net", "--init-model", mlp, "--quiet"])
        expectOneLineError(r, mentioning: ["model.type", "linear models only"])
    }

    /// A small network trained on CSV (three features), to score LIBSVM rows with.
    func trainSmallModelMLP(in box: Sandbox) throws -> String {
        try box.write(DataTable().csv(), to: "table.csv")
        var c = Configs.basic(train: "table.csv", epochs: 2)
        c["model"] = ["type": "mlp", "hidden": [4]]
        try box.writeJSON(c, to: "mlp.json")
        let r = try box.run(["train", "--config", "mlp.json", "--out", "mlp", "--quiet"])
        try #require(r.exitCode == 0, "\(r)")
        return "mlp/model.json"
    }

    @Test("configs/sparse-example.json trains on the LIBSVM sample")
    func exampleConfig() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let config = root.appendingPathComponent("configs/sparse-example.json").path
        let r = try box.run(["train", "--config", config, "--out", "example", "--json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        let summary = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect((JSONRead.number(summary["test_accuracy"]) ?? 0) >= 0.85, "\(summary)")
        #expect(JSONRead.strings(try JSONRead.object(try box.read("example/model.json"))["feature_names"])?.count == 2000)
    }
}
