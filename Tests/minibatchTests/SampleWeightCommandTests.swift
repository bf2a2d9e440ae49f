import Foundation
import Testing

@Suite("sample and class weights on the command line")
struct SampleWeightCommandTests {
    /// The table as CSV with a weight column "wt" in the middle: weight (i mod 3) + 0.5, or
    /// `bad` at row `badRow`.
    func weightedCSV(_ table: DataTable, badRow: Int? = nil, bad: String = "-1") -> String {
        let lines = CLI.lines(table.csv(columns: ["f0", "f1", "label", "f2"]))
        var out = "f0,f1,wt,label,f2\n"
        for (i, line) in lines.dropFirst().enumerated() {
            var fields = line.components(separatedBy: ",")
            fields.insert(i == badRow ? bad : String(Double(i % 3) + 0.5), at: 2)
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    func config(classWeight: Any) -> [String: Any] {
        var c = Configs.basic(epochs: 4, testFraction: 0.25)
        var data = c["data"] as! [String: Any]
        data["weight"] = "wt"
        c["data"] = data
        var training = c["training"] as! [String: Any]
        training["class_weight"] = classWeight
        c["training"] = training
        return c
    }

    @Test("train with data.weight and class_weight; evaluate and predict with or without the weight column")
    func trainEvaluatePredict() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 90)
        try box.write(weightedCSV(table), to: "train.csv")
        try box.write(table.csv(), to: "plain.csv")
        for (name, classWeight) in [("balanced", "balanced" as Any), ("given", ["red": 2, "blue": 0.5] as Any)] {
            try box.writeJSON(config(classWeight: classWeight), to: "\(name).json")
            let r = try box.run(["train", "--config", "\(name).json", "--out", name, "--json", "--quiet"])
            #expect(r.exitCode == 0, "\(r)")
            let summary = try JSONRead.object(try #require(r.stdoutLines.last))
            #expect(try #require(JSONRead.number(summary["train_loss"])).isFinite)
            #expect(try #require(JSONRead.number(summary["test_loss"])).isFinite)

            // The weight column is recorded, and is not a feature.
            let model = try JSONRead.object(try box.read("\(name)/model.json"))
            #expect(model["weight"] as? String == "wt")
            #expect(JSONRead.strings(model["feature_names"]) == ["f0", "f1", "f2"])
            let config = try #require((model["config"] as? [String: Any])?["training"] as? [String: Any])
            if name == "balanced" { #expect(config["class_weight"] as? String == "balanced") }
            else { #expect(JSONRead.number((config["class_weight"] as? [String: Any])?["red"]) == 2) }

            // evaluate and predict: the same answers with the weight column and without it.
            let path = "\(name)/model.json"
            let e1 = try box.run(["evaluate", "--model", path, "--data", "plain.csv", "--json"])
            let e2 = try box.run(["evaluate", "--model", path, "--data", "train.csv", "--json"])
            #expect(e1.exitCode == 0 && e2.exitCode == 0, "\(e1)\n\(e2)")
            #expect(e1.stdout == e2.stdout)
            // evaluate's figures are unweighted: every row counts once.
            let evaluation = try JSONRead.object(try #require(e1.stdoutLines.last))
            #expect(JSONRead.int(evaluation["samples"]) == 90)
            let p1 = try box.run(["predict", "--model", path, "--data", "plain.csv", "--proba"])
            let p2 = try box.run(["predict", "--model", path, "--data", "train.csv", "--proba"])
            #expect(p1.exitCode == 0 && p2.exitCode == 0, "\(p1)\n\(p2)")
            #expect(p1.stdout == p2.stdout && p1.stdoutLines.count == 91)
        }
    }

    @Test("a negative or non-numeric weight is one error line naming the file, line and column")
    func badWeights() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.writeJSON(config(classWeight: NSNull()), to: "run.json")
        try box.write(weightedCSV(DataTable(rows: 30), badRow: 6), to: "train.csv")
        expectOneLineError(try box.run(["train", "--config", "run.json", "--quiet"]),
                           mentioning: ["train.csv:8:", "weight column 'wt'", "negative"])
        try box.write(weightedCSV(DataTable(rows: 30), badRow: 10, bad: "heavy"), to: "train.csv")
        expectOneLineError(try box.run(["train", "--config", "run.json", "--quiet"]),
                           mentioning: ["train.csv:12:", "'wt'", "not a number"])
        #expect(!box.exists("runs"))
    }

    @Test("a class_weight label that is not a class is a config error naming it")
    func unknownClass() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(weightedCSV(DataTable(rows: 30)), to: "train.csv")
        try box.writeJSON(config(classWeight: ["red": 2, "purple": 3]), to: "run.json")
        expectOneLineError(try box.run(["train", "--config", "run.json", "--quiet"]),
                           mentioning: ["run.json", "training.class_weight.purple", "not a class"])
    }
}
