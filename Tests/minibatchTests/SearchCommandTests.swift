import Foundation
import Testing

@Suite("minibatch search")
struct SearchCommandTests {
    static let grid = #"{"training.alpha": [0.00001, 0.01, 1.0], "training.eta0": [0.05, 0.2]}"#

    /// A sandbox with train.csv, config.json (20% test split) and grid.json.
    func sandbox(rows: Int = 90, epochs: Int = 5, batchSize: Int = 16) throws -> Sandbox {
        let box = try Sandbox()
        try box.write(DataTable(rows: rows).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: epochs, testFraction: 0.2, batchSize: batchSize), to: "config.json")
        try box.write(Self.grid, to: "grid.json")
        return box
    }

    /// The ranking of a --json run without the timings, one JSON text (sorted keys) a row.
    func ranking(_ r: CLIResult) throws -> [String] {
        let json = try JSONRead.object(r.stdoutLines.last ?? "")
        let rows = try #require(json["candidates"] as? [[String: Any]], "\(r)")
        return try rows.map { row in
            let data = try JSONSerialization.data(withJSONObject: row.filter { $0.key != "mean_seconds" }, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Test("prints the ranking, writes the log, best config, model and report")
    func searchWritesItsFiles() throws {
        let box = try sandbox()
        defer { box.remove() }
        let r = try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "3", "--workers", "2",
                             "--out", "s"])
        #expect(r.exitCode == 0, "\(r)")
        let lines = r.stdoutLines
        #expect(lines.first?.contains("training.alpha") == true && lines.first?.contains("log loss") == true, "\(r)")
        #expect(lines.filter { $0.contains(" ± ") }.count == 6)
        #expect(lines.contains { $0.hasPrefix("best: candidate ") })
        #expect(lines.contains { $0.hasPrefix("test:  loss ") })
        #expect(box.listing().contains("s/search.jsonl"))
        let log = CLI.lines(try box.read("s/search.jsonl"))
        #expect(log.count == 18)
        for line in log {
            let o = try JSONRead.object(line)
            #expect(o["key"] is String && JSONRead.number(o["log_loss"]) != nil && o["params"] is [String: Any])
        }
        for file in ["best-config.json", "model.json", "report.html"] { #expect(box.exists("s/" + file), "\(file)") }
        // The best config trains with `minibatch train` from anywhere.
        let t = try box.run(["train", "--config", "s/best-config.json", "--out", "again", "--quiet"])
        #expect(t.exitCode == 0, "\(t)")
        let html = try box.read("s/report.html")
        #expect(html.contains("<svg") && html.contains("class=\"bar\"") && html.contains("training.alpha"))
        // Sorted by mean log loss.
        let json = try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "3", "--out", "s", "--json"])
        let rows = try #require(try JSONRead.object(json.stdoutLines.last ?? "")["candidates"] as? [[String: Any]])
        let losses = rows.compactMap { JSONRead.number($0["mean_log_loss"]) }
        #expect(losses.count == 6)
        #expect(losses == losses.sorted())
    }

    @Test("the same ranking for 1, 2 and 3 workers, bit for bit")
    func anyWorkerCount() throws {
        let box = try sandbox()
        defer { box.remove() }
        var results: [[String]] = []
        for w in ["1", "2", "3"] {
            let r = try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "3", "--workers", w,
                                 "--out", "w" + w, "--json", "--quiet"])
            #expect(r.exitCode == 0, "\(r)")
            results.append(try ranking(r))
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }

    @Test("a rerun skips the jobs in search.jsonl and ends with the same ranking")
    func rerunSkipsFinishedJobs() throws {
        let box = try sandbox()
        defer { box.remove() }
        let args = ["search", "--config", "config.json", "--grid", "grid.json", "--folds", "3", "--out", "s", "--json"]
        let whole = try box.run(args)
        let log = CLI.lines(try box.read("s/search.jsonl"))
        try box.write(log.prefix(7).joined(separator: "\n") + "\n", to: "s/search.jsonl")
        let again = try box.run(args)
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stderrLines.first?.contains("7 done before") == true, "\(again)")
        #expect(try ranking(again) == (try ranking(whole)))
        #expect(CLI.lines(try box.read("s/search.jsonl")).prefix(7) == log.prefix(7))
    }

    @Test("SIGINT keeps the finished jobs and exits 130; the same command then ends as an uninterrupted search")
    func interruptedThenRerun() throws {
        let box = try sandbox(rows: 900, epochs: 60, batchSize: 4)
        defer { box.remove() }
        let args = ["search", "--config", "config.json", "--grid", "grid.json", "--folds", "3", "--workers", "1", "--json"]
        let stopped = try box.run(args + ["--out", "s"], signal: (SIGINT, "job 2/"))
        #expect(stopped.exitCode == 130, "\(stopped)")
        #expect(stopped.stderrLines.last?.contains("run the same command again") == true, "\(stopped)")
        let kept = CLI.lines(try box.read("s/search.jsonl")).count
        #expect(kept >= 2 && kept < 18, "\(kept) lines kept")
        #expect(!box.exists("s/model.json") && !box.exists("s/best-config.json"))
        let rerun = try box.run(args + ["--out", "s", "--quiet"])
        #expect(rerun.exitCode == 0, "\(rerun)")
        let whole = try box.run(args + ["--out", "whole", "--quiet"])
        #expect(try ranking(rerun) == (try ranking(whole)))
    }

    @Test("a bad grid is one line naming the grid file and the key, exit 2, nothing written", arguments: [
        (#"{"training.alfa": [1]}"#, "grid.json: training.alfa: unknown key"),
        (#"{"training.alpha": [-1]}"#, "grid.json: training.alpha: -1 is out of range"),
        (#"{"data.train": ["x.csv"]}"#, "grid.json: data.train: cannot vary"),
        (#"{"training.alpha": {"loguniform": [1e-6, 1]}}"#, "grid.json: training.alpha: a distribution needs random search"),
        (#"{"model.type": ["logistic"]}"#, "grid.json: model.type: \"logistic\" needs two classes"),
        (#"{"training.alpha": [1e-4,]}"#, "grid.json:1:"),
    ] as [(String, String)])
    func badGrid(grid: String, expected: String) throws {
        let box = try sandbox()
        defer { box.remove() }
        try box.write(grid, to: "grid.json")
        let before = box.listing()
        let r = try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--out", "s"])
        expectOneLineError(r, mentioning: [expected])
        #expect(box.listing() == before)
    }

    @Test("usage mistakes and a log of another search: exit 2, one line")
    func usageAndForeignLog() throws {
        let box = try sandbox()
        defer { box.remove() }
        expectOneLineError(try box.run(["search", "--config", "config.json"]), mentioning: ["--grid"])
        expectOneLineError(try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "1"]),
                           mentioning: ["--folds 1"])
        expectOneLineError(try box.run(["search", "--config", "config.json", "--grid", "nowhere.json"]),
                           mentioning: ["nowhere.json", "no such grid file"])
        expectOneLineError(try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "200"]),
                           mentioning: ["200 folds", "train.csv"])
        let ok = try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "3", "--out", "s", "--quiet"])
        #expect(ok.exitCode == 0, "\(ok)")
        // The same folder with other folds: its log is another search's.
        let other = try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "4", "--out", "s"])
        expectOneLineError(other, mentioning: ["search.jsonl:1:", "another search"])
    }

    @Test("random search: n candidates from the grid file's distributions")
    func randomSearch() throws {
        let box = try sandbox()
        defer { box.remove() }
        try box.write(#"{"n_candidates": 4, "seed": 3, "params": {"training.alpha": {"loguniform": [1e-6, 1e-1]}, "training.batch_size": [8, 16]}}"#,
                      to: "grid.json")
        let r = try box.run(["search", "--config", "config.json", "--grid", "grid.json", "--folds", "2", "--out", "s", "--json",
                             "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(try ranking(r).count == 4)
    }

    @Test("--save-folds writes every training row's fold")
    func saveFolds() throws {
        let box = try sandbox()
        defer { box.remove() }
        let r = try box.run(["cv", "--config", "config.json", "--folds", "3", "--save-folds", "folds.json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        let folds = try JSONRead.object(try box.read("folds.json"))
        let rows = try #require(JSONRead.doubles(folds["train_rows"])), fold = try #require(JSONRead.doubles(folds["fold"]))
        #expect(rows.count == 72 && fold.count == 72)  // 90 rows, 18 to the test split
        #expect(Set(fold) == [0, 1, 2])
    }
}

@Suite("minibatch cv")
struct CVCommandTests {
    @Test("prints each fold and the mean ± sd; --json; writes nothing")
    func crossValidates() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 90).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 5, testFraction: 0.2), to: "config.json")
        let before = box.listing()
        let r = try box.run(["cv", "--config", "config.json", "--folds", "4", "--workers", "3"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stdoutLines.filter { $0.hasPrefix("fold ") }.count == 4)
        #expect(r.stdoutLines.last?.hasPrefix("mean: log loss ") == true, "\(r)")
        let j = try box.run(["cv", "--config", "config.json", "--folds", "4", "--json", "--quiet"])
        let o = try JSONRead.object(j.stdoutLines.last ?? "")
        #expect((o["folds"] as? [Any])?.count == 4)
        for key in ["mean_accuracy", "sd_accuracy", "mean_log_loss", "sd_log_loss", "mean_seconds", "mean_epochs"] {
            #expect(JSONRead.number(o[key]) != nil, "\(key)")
        }
        #expect(j.stderr.isEmpty)
        #expect(box.listing() == before)
    }
}
