import Foundation
import Testing

/// Values at the edge of float32: finite inputs whose scores overflow, model files whose
/// numbers cannot give finite scores, checkpoint values beyond float32.
@Suite struct Float32EdgeTests {
    /// A trained model's file with simple numbers put in: every weight 2, biases 0, scaler
    /// mean 0 and scale 1, so that a row's scores are 2 (x0 + x1 + x2), then `change` applied.
    func handMadeModel(_ box: Sandbox, change: (inout [String: Any]) throws -> Void = { _ in }) throws {
        let model = try trainSmallModel(in: box, epochs: 1, out: "run")
        var json = try JSONRead.object(try box.read(model))
        let rows = try #require(JSONRead.matrix(json["weights"]))
        json["weights"] = rows.map { $0.map { _ in 2.0 } }
        json["bias"] = rows.map { _ in 0.0 }
        json["scaler"] = ["mean": [0.0, 0.0, 0.0], "scale": [1.0, 1.0, 1.0]]
        try change(&json)
        try box.writeJSON(json, to: "m.json")
    }

    @Test("a cell of 3e38 in data to score: exit 2 naming the file and row, never nan probabilities")
    func hugeCellWhenScoring() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try handMadeModel(box)
        let model = "m.json"
        // Row 2's scores are 6e38: beyond float32 although every value is a finite float32.
        try box.write("f0,f1,f2,label\n1,1,1,red\n3e38,0,0,red\n", to: "edge.csv")
        for args in [["predict", "--model", model, "--data", "edge.csv", "--proba"],
                     ["predict", "--model", model, "--data", "edge.csv"],
                     ["evaluate", "--model", model, "--data", "edge.csv"],
                     ["evaluate", "--model", model, "--data", "edge.csv", "--json"]] {
            let r = try box.run(args)
            expectOneLineError(r, mentioning: ["edge.csv: row 2: the model's scores for it are beyond float32",
                                               "column 'f0'"])
            #expect(!r.stdout.contains("nan"))
        }
        // 1e38 is far but scorable: finite probabilities.
        try box.write("f0,f1,f2,label\n1e38,1,1,red\n", to: "far.csv")
        let far = try box.run(["predict", "--model", model, "--data", "far.csv", "--proba"])
        #expect(far.exitCode == 0, "\(far)")
        // The predicted label, then one probability per class.
        #expect(csvRows(far.stdout).dropFirst().map { $0.dropFirst() }.joined().allSatisfy { Double($0)?.isFinite == true }, "\(far)")
    }

    @Test("model files whose numbers cannot give finite scores are refused on load, naming the key",
          arguments: ["scaler.scale", "scaler.mean", "weights"])
    func modelsThatCannotScore(key: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try handMadeModel(box) { json in
            var scaler = try #require(json["scaler"] as? [String: Any])
            switch key {
            case "scaler.scale": scaler["scale"] = [1e-45, 1.0, 1.0]
            case "scaler.mean": scaler["mean"] = [3e38, 0.0, 0.0]  // a raw 0 scores 6e38
            default:
                var w = try #require(JSONRead.matrix(json["weights"]))
                w[0][0] = 3.4e38
                w[0][1] = 3.4e38
                json["weights"] = w
            }
            json["scaler"] = scaler
        }
        try box.writeJSON(Configs.basic(epochs: 1), to: "warm.json")
        for args in [["predict", "--model", "m.json", "--data", "train.csv"],
                     ["evaluate", "--model", "m.json", "--data", "train.csv"],
                     ["train", "--config", "warm.json", "--init-model", "m.json", "--out", "warm", "--quiet"]] {
            let r = try box.run(args)
            expectOneLineError(r, mentioning: ["m.json: \"\(key)\""])
        }
        #expect(!box.exists("warm"))
    }

    @Test("a checkpoint parameter beyond float32 (1e39): exit 2 naming the checkpoint and the key")
    func checkpointBeyondFloat32() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable().csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 4), to: "c.json")
        let r = try box.run(["train", "--config", "c.json", "--out", "run", "--checkpoint-every", "2", "--quiet"])
        try #require(r.exitCode == 0, "\(r)")
        let text = try box.read("run/checkpoint")
        let marker = "\"parameters\":["
        let start = try #require(text.range(of: marker)?.upperBound)
        let end = try #require(text[start...].firstIndex(of: ","))
        try box.write(text.replacingCharacters(in: start..<end, with: "1e39"), to: "run/checkpoint")
        let before = box.listing()
        let resumed = try box.run(["train", "--resume", "run", "--quiet"])
        expectOneLineError(resumed, mentioning: ["run/checkpoint", "state.parameters", "1e+39", "beyond float32"])
        #expect(box.listing() == before)
    }

    /// Two classes in two columns; column a varies by about 1e-3 only.
    func narrowTable(rows: Int, huge: Int? = nil) -> String {
        var text = "a,b,label\n"
        for i in 0..<rows {
            let y = i % 2
            let a = i == huge ? "3e38" : String(format: "%.6f", 0.001 * Double(y) + 0.0003 * sin(Double(i)))
            text += "\(a),\(String(format: "%.4f", Double(y) - 0.5 + 0.8 * cos(1.7 * Double(i)))),\(y == 1 ? "yes" : "no")\n"
        }
        return text
    }

    @Test("a value standardised beyond float32 (3e38 where the training column varies by 1e-3): train, evaluate and predict refuse it naming the file, row and column; nothing written")
    func standardisedBeyondFloat32() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(narrowTable(rows: 120), to: "train.csv")
        try box.write(narrowTable(rows: 10, huge: 3), to: "test.csv")
        let before = box.listing()
        let r = try box.run(["train", "--data", "train.csv", "--test", "test.csv", "--label", "label", "--out", "run", "--quiet"])
        expectOneLineError(r, mentioning: ["test.csv", "row 4", "column 'a'", "beyond float32"])
        #expect(box.listing() == before)
        // Trained without that row, the model refuses it when scoring too (it was a test loss of nan).
        try box.write(narrowTable(rows: 10), to: "ok.csv")
        let trained = try box.run(["train", "--data", "train.csv", "--test", "ok.csv", "--label", "label", "--out", "run", "--quiet"])
        #expect(trained.exitCode == 0, "\(trained)")
        for args in [["evaluate", "--model", "run/model.json", "--data", "test.csv"],
                     ["predict", "--model", "run/model.json", "--data", "test.csv", "--proba"]] {
            let e = try box.run(args)
            expectOneLineError(e, mentioning: ["test.csv: row 4", "column 'a'", "beyond float32"])
            #expect(!e.stdout.contains("nan"))
        }
    }

    @Test("a logit beyond float32 that the probabilities hide (sigmoid(inf) = 1): evaluate refuses the row instead of a log loss of nan")
    func infiniteLogitBehindFiniteProbabilities() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(narrowTable(rows: 120), to: "train.csv")
        try box.writeJSON(["data": ["train": "train.csv", "label": "label", "standardize": false, "test_fraction": 0] as [String: Any],
                           "model": ["type": "logistic"], "training": ["epochs": 3]] as [String: Any], to: "raw.json")
        let trained = try box.run(["train", "--config", "raw.json", "--out", "raw", "--quiet"])
        #expect(trained.exitCode == 0, "\(trained)")
        // Weights of 10: row 2's logit is 10 (3e38 + 3e38), beyond float32, and sigmoid gives 1.
        var json = try JSONRead.object(try box.read("raw/model.json"))
        json["weights"] = [[10.0, 10.0]]
        try box.writeJSON(json, to: "raw/model.json")
        try box.write("a,b,label\n0.001,0.5,yes\n3e38,3e38,yes\n", to: "far.csv")
        let p = try box.run(["predict", "--model", "raw/model.json", "--data", "far.csv", "--proba"])
        #expect(p.exitCode == 0 && !p.stdout.contains("nan"), "\(p)")  // the probabilities are finite
        let e = try box.run(["evaluate", "--model", "raw/model.json", "--data", "far.csv"])
        expectOneLineError(e, mentioning: ["far.csv: row 2: the model's scores for it are beyond float32"])
        #expect(!e.stdout.contains("nan"))
    }

    @Test("a test row whose logits overflow with the trained weights: train ends with exit 2 naming the test file and row, not a test loss of nan; nothing written")
    func testRowBeyondTheTrainedModel() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(narrowTable(rows: 120), to: "train.csv")
        try box.writeJSON(["data": ["train": "train.csv", "label": "label", "standardize": false, "test_fraction": 0] as [String: Any],
                           "model": ["type": "logistic"], "training": ["epochs": 1]] as [String: Any], to: "raw.json")
        #expect(try box.run(["train", "--config", "raw.json", "--out", "raw", "--quiet"]).exitCode == 0)
        // A warm start from weights of 10 with a step too small to move them: row 3's logit
        // 10 (3e38 + 3e38) is beyond float32.
        var json = try JSONRead.object(try box.read("raw/model.json"))
        json["weights"] = [[10.0, 10.0]]
        try box.writeJSON(json, to: "start.json")
        try box.write("a,b,label\n0.001,0.5,yes\n0,0.1,no\n3e38,3e38,yes\n", to: "far.csv")
        try box.writeJSON(["data": ["train": "train.csv", "test": "far.csv", "label": "label", "standardize": false] as [String: Any],
                           "model": ["type": "logistic"],
                           "training": ["epochs": 1, "learning_rate": "constant", "eta0": 1e-12] as [String: Any]] as [String: Any],
                          to: "warm.json")
        let before = box.listing()
        let r = try box.run(["train", "--config", "warm.json", "--init-model", "start.json", "--out", "warm", "--quiet"])
        expectOneLineError(r, mentioning: ["far.csv", "row 3", "beyond float32"])
        #expect(box.listing() == before)
    }
}
