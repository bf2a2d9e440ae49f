import Testing
@testable import Learning

@Suite struct SearchSpaceTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func decode(_ text: String) throws -> SearchSpace { try SearchSpace.decode(try parse(text), file: "grid.json") }

    /// The one-line message of the error `text` gives.
    func message(_ text: String) -> String? {
        do { _ = try decode(text); return nil } catch { return (error as? LearningError)?.description }
    }

    @Test("a grid: every combination, the last path varying fastest")
    func gridCombinations() throws {
        let space = try decode(#"{"training.alpha": [1e-5, 1e-4, 1e-3], "training.eta0": [0.01, 0.1]}"#)
        #expect(space.sampling == .grid)
        let s = space.settings()
        #expect(s.count == 6)
        #expect(s.map { $0.map(\.value) } == [
            [.number(1e-5), .number(0.01)], [.number(1e-5), .number(0.1)], [.number(1e-4), .number(0.01)],
            [.number(1e-4), .number(0.1)], [.number(1e-3), .number(0.01)], [.number(1e-3), .number(0.1)],
        ])
        #expect(s[0].map(\.path) == ["training.alpha", "training.eta0"])
    }

    @Test("random search: n candidates from the distributions, seeded, within their bounds")
    func randomDraws() throws {
        let text = #"{"n_candidates": 20, "seed": 4, "params": {"training.alpha": {"loguniform": [1e-6, 1e-2]},"#
            + #" "training.batch_size": [16, 32, 64], "training.eta0": {"uniform": [0.01, 0.5]},"#
            + #" "training.n_iter_no_change": {"integers": [2, 4]}}}"#
        let space = try decode(text)
        #expect(space.sampling == .random(count: 20, seed: 4))
        let s = space.settings()
        #expect(s.count == 20)
        for c in s {
            guard case .number(let a) = c[0].value, case .number(let b) = c[1].value, case .number(let e) = c[2].value,
                  case .number(let n) = c[3].value else { Issue.record("not numbers: \(c)"); continue }
            #expect(a >= 1e-6 && a < 1e-2)
            #expect([16, 32, 64].contains(b))
            #expect(e >= 0.01 && e < 0.5)
            #expect([2, 3, 4].contains(n))
        }
        #expect(Set(s.map { $0[0].value.jsonText }).count == 20)
        #expect(s.map { $0.map(\.value) } == (try decode(text)).settings().map { $0.map(\.value) })
    }

    @Test("random search over lists only never repeats a combination")
    func randomOverListsOnly() throws {
        let s = try decode(#"{"n_candidates": 4, "params": {"training.alpha": [1, 2, 3], "training.eta0": [0.1, 0.2]}}"#)
            .settings()
        #expect(s.count == 4)
        #expect(Set(s.map { $0.map(\.value.jsonText).joined(separator: ",") }).count == 4)
        let all = try decode(#"{"n_candidates": 50, "params": {"training.alpha": [1, 2, 3]}}"#).settings()
        #expect(all.count == 3)
    }

    @Test("bad grid files: one error naming the grid file and the path", arguments: [
        (#"[1, 2]"#, "grid.json: (top level): expected an object"),
        (#"{"training.alpha": []}"#, "grid.json: training.alpha: the list of values is empty"),
        (#"{"training.alpha": 0.1}"#, "grid.json: training.alpha: expected a list of values or a distribution"),
        (#"{"alpha": [1]}"#, "grid.json: alpha: not a config path"),
        (#"{"data.train": ["a.csv"]}"#, "grid.json: data.train: cannot vary: the search reads the data once"),
        (#"{"workers": [1, 2]}"#, "grid.json: workers: not a config path"),
        (#"{"output.dir": ["x"]}"#, "grid.json: output.dir: cannot vary"),
        (#"{"trainin.alpha": [1]}"#, "grid.json: trainin.alpha: unknown section \"trainin\""),
        (#"{"training.alpha": {"loguniform": [1e-6, 1]}}"#, "grid.json: training.alpha: a distribution needs random search"),
        (#"{"n_candidates": 3, "params": {"training.alpha": {"loguniform": [0, 1]}}}"#,
         "grid.json: training.alpha: \"loguniform\" needs lo > 0"),
        (#"{"n_candidates": 3, "params": {"training.alpha": {"normal": [0, 1]}}}"#,
         "grid.json: training.alpha: expected one distribution"),
        (#"{"n_candidates": 3, "params": {"training.alpha": {"uniform": [2, 1]}}}"#,
         "grid.json: training.alpha: \"uniform\": lo 2 is not below hi 1"),
        (#"{"n_candidates": 3, "params": {"training.epochs": {"integers": [1.5, 3]}}}"#,
         "grid.json: training.epochs: \"integers\" needs whole numbers"),
        (#"{"n_candidates": 0, "params": {"training.alpha": [1]}}"#, "grid.json: n_candidates: 0 is out of range"),
        (#"{"params": {"training.alpha": [1]}, "seed": 2}"#, "grid.json: seed: only for \"strategy\": \"random\""),
        (#"{"params": {"training.alpha": [1]}, "strategy": "bayes"}"#, "grid.json: strategy: \"bayes\" is not allowed"),
        (#"{"params": {"training.alpha": [1]}, "n_candidate": 2}"#, "grid.json: n_candidate: unknown key"),
    ] as [(String, String)])
    func badGridFiles(text: String, expected: String) {
        let m = message(text)
        #expect(m?.hasPrefix(expected) == true, "\(m ?? "no error")")
    }

    @Test("a grid of more than the largest candidate count is refused")
    func hugeGrid() {
        let values = "[" + (1...400).map(String.init).joined(separator: ",") + "]"
        let m = message(#"{"training.epochs": \#(values), "training.batch_size": \#(values)}"#)
        #expect(m?.contains("160000 combinations") == true, "\(m ?? "none")")
    }
}
