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
}
