import Foundation
import Testing

/// Flags given twice (documented: the last value wins), early stopping without validation rows, error lines that echo huge input.
@Suite struct SmallerDefectTests {
    @Test("a flag given twice takes its last value, as documented (wrappers append overrides)")
    func flagGivenTwiceTakesItsLastValue() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable().csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 5), to: "c.json")
        let r = try box.run(["train", "--config", "c.json", "--epochs", "1", "--out", "o", "--epochs=2", "--quiet", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(CLI.lines(try box.read("o/metrics.jsonl")).count == 2)
    }

    @Test("early_stopping with classes too small for a validation row: exit 2 naming the key")
    func earlyStoppingWithoutValidationRows() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 12).csv(), to: "train.csv")  // 3 classes of 4 rows: 0.1 x 4 rounds to 0
        var config = Configs.basic(epochs: 2)
        var training = try #require(config["training"] as? [String: Any])
        training["early_stopping"] = true
        config["training"] = training
        try box.writeJSON(config, to: "c.json")
        let before = box.listing()
        let r = try box.run(["train", "--config", "c.json", "--out", "out", "--quiet"])
        expectOneLineError(r, mentioning: ["c.json: training.early_stopping: the validation split is empty"])
        #expect(box.listing() == before)
        // A validation_fraction that gives each class a row trains.
        training["validation_fraction"] = 0.25
        config["training"] = training
        try box.writeJSON(config, to: "c.json")
        let ok = try box.run(["train", "--config", "c.json", "--out", "out", "--quiet"])
        #expect(ok.exitCode == 0, "\(ok)")
    }

    @Test("an error that echoes a huge input is cut to a readable length, keeping its start and end")
    func hugeEchoIsCut() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let huge = String(repeating: "x", count: 200_000)
        try box.write("{\"\(huge)\": 1}\n", to: "c.json")
        var r = try box.run(["train", "--config", "c.json"])
        expectOneLineError(r, mentioning: ["c.json: ", "characters left out"])
        #expect(r.stderr.count < 4200, "\(r.stderr.count) characters")
        r = try box.run(["bench", "--workload", String(huge.prefix(100_000))])  // one argument may hold 128 KB
        expectOneLineError(r, mentioning: ["--workload", "characters left out", "use W1, W2 or W3"])
        #expect(r.stderr.count < 4200)
        // A CSV header of 1 MB.
        try box.write(String(repeating: "h", count: 1_000_000) + "\n1\n", to: "wide.csv")
        try box.writeJSON(Configs.basic(train: "wide.csv"), to: "w.json")
        r = try box.run(["train", "--config", "w.json", "--out", "o"])
        #expect(r.exitCode == 2 && r.stderrLines.count == 1 && r.stderr.count < 4200, "\(r.stderr.prefix(300))")
    }
}
