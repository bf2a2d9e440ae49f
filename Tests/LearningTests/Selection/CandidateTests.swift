import Testing
@testable import Learning

@Suite struct CandidateTests {
    func base() throws -> Config {
        try Config.decode(try JSONParser.parse(Array(#"""
            {"data": {"train": "/data/x.csv"}, "model": {"type": "softmax"},
             "training": {"alpha": 0.001, "eta0": 0.1, "learning_rate": "constant"}}
            """#.utf8)), file: "base.json")
    }

    func space(_ text: String) throws -> SearchSpace { try SearchSpace.decode(try JSONParser.parse(Array(text.utf8)), file: "grid.json") }

    @Test("the base config's JSON decodes back to the same config")
    func baseRoundTrip() throws {
        let c = try base()
        var again = try Config.decode(c.jsonValue, file: "base.json")
        again.file = c.file
        #expect(again == c)
    }

    @Test("candidates are the base config with the grid's values set")
    func valuesAreSet() throws {
        let cs = try space(#"{"training.alpha": [1e-5, 1e-3], "model.type": ["mlp"], "model.hidden": [[64], [8, 8]]}"#)
            .candidates(base: try base())
        #expect(cs.count == 4)
        #expect(cs.map(\.config.training.alpha) == [1e-5, 1e-5, 1e-3, 1e-3])
        #expect(cs.map(\.config.hidden) == [[64], [8, 8], [64], [8, 8]])
        #expect(cs.allSatisfy { $0.config.modelType == .mlp && $0.config.file == "base.json" })
        #expect(cs.allSatisfy { $0.config.training.eta0 == 0.1 && $0.config.data.train == "/data/x.csv" })
        #expect(cs[1].label == "training.alpha=0.00001 model.type=\"mlp\" model.hidden=[8,8]"
                || cs[1].label.hasPrefix("training.alpha=1e-05"))
    }

    /// The error `grid` gives when its candidates are built.
    func message(_ grid: String) throws -> String? {
        do { _ = try space(grid).candidates(base: try base()); return nil } catch {
            return (error as? LearningError)?.description
        }
    }

    @Test("a bad key or value is an error naming the grid file and the key", arguments: [
        (#"{"training.alfa": [1]}"#, "grid.json: training.alfa: unknown key; did you mean \"alpha\"? allowed here:"),
        (#"{"training.alpha": [-1]}"#, "grid.json: training.alpha: -1 is out of range"),
        (#"{"training.batch_size": [0.5]}"#, "grid.json: training.batch_size: 0.5 is not a whole number"),
        (#"{"model.hidden": [[64]]}"#, "grid.json: model.hidden: only for \"type\": \"mlp\""),
        (#"{"training.learning_rate": ["fast"]}"#, "grid.json: training.learning_rate: \"fast\" is not allowed"),
        (#"{"training.nesterov": [true]}"#, "grid.json: training.nesterov:"),
    ] as [(String, String)])
    func badValues(grid: String, expected: String) throws {
        let m = try message(grid)
        #expect(m?.hasPrefix(expected) == true, "\(m ?? "no error")")
    }

    @Test("a conflict with a key the grid does not set names the candidate's settings")
    func conflictNamesTheSettings() throws {
        let m = try message(#"{"training.learning_rate": ["constant", "optimal"], "training.alpha": [0]}"#)
        #expect(m?.hasPrefix("grid.json: training.") == true, "\(m ?? "none")")
        #expect(m?.contains("training.learning_rate=\"optimal\"") == true || m?.contains("training.alpha") == true,
                "\(m ?? "none")")
    }
}
