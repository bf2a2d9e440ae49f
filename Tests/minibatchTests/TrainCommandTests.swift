import Foundation
import Testing

@Suite("minibatch train")
struct TrainCommandTests {
    static let summaryKeys: Set<String> = [
        "model_path", "epochs", "train_loss", "objective", "train_accuracy", "test_loss", "test_accuracy",
        "train_seconds", "load_seconds", "samples_per_second", "workers",
    ]
    static let metricsKeys: Set<String> = [
        "epoch", "loss", "accuracy", "learning_rate", "seconds", "samples_per_second", "test_loss", "test_accuracy",
        "validation_loss", "validation_accuracy", "zero_fraction", "run_id",
    ]

    @Test("happy path: exit 0, model.json and one metrics line per epoch, exact --json summary")
    func happyPath() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 60)
        try box.write(table.csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 3, testFraction: 0), to: "run.json")

        let r = try box.run(["train", "--config", "run.json", "--out", "out", "--workers", "2", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(box.exists("out/model.json"))
        #expect(box.exists("out/metrics.jsonl"))
        // Nothing but the three files (no temporary file left behind).
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("out")).sorted() == ["metrics.jsonl", "model.json", "report.html"])

        // metrics.jsonl: one JSON object per epoch, epochs 1, 2, 3, no test figures.
        let metricLines = CLI.lines(try box.read("out/metrics.jsonl"))
        #expect(metricLines.count == 3)
        var epochNumbers: [Int] = []
        // Every line holds the run id that model.json's training.run_id holds.
        let training = try #require(try JSONRead.object(try box.read("out/model.json"))["training"] as? [String: Any])
        let runID = try #require(training["run_id"] as? String)
        #expect(runID.count == 16 && runID.allSatisfy(\.isHexDigit))
        #expect(try box.read("out/report.html").contains("<meta name=\"minibatch-run-id\" content=\"\(runID)\"/>"))
        for line in metricLines {
            let m = try JSONRead.object(line)
            #expect(Set(m.keys) == Self.metricsKeys)
            #expect(m["run_id"] as? String == runID)
            epochNumbers.append(try #require(JSONRead.int(m["epoch"])))
            #expect(JSONRead.isNull(m["test_loss"]) && JSONRead.isNull(m["test_accuracy"]))
            let loss = try #require(JSONRead.number(m["loss"]))
            #expect(loss.isFinite && loss >= 0)
            let acc = try #require(JSONRead.number(m["accuracy"]))
            #expect((0...1).contains(acc))
            #expect(JSONRead.number(m["learning_rate"]) == 0.1)  // constant schedule, eta0 0.1
        }
        #expect(epochNumbers == [1, 2, 3])

        // The last stdout line is the summary with exactly the documented keys.
        let summary = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(Set(summary.keys) == Self.summaryKeys)
        #expect(JSONRead.int(summary["epochs"]) == 3)
        #expect(JSONRead.int(summary["workers"]) == 2)
        #expect(JSONRead.isNull(summary["test_loss"]))
        #expect(JSONRead.isNull(summary["test_accuracy"]))
        let modelPath = try #require(summary["model_path"] as? String)
        #expect(modelPath.hasSuffix("model.json"))
        #expect(FileManager.default.fileExists(atPath: box.url(modelPath).path) || FileManager.default.fileExists(atPath: modelPath))
        let trainLoss = try #require(JSONRead.number(summary["train_loss"]))
        let objective = try #require(JSONRead.number(summary["objective"]))
        #expect(trainLoss.isFinite && trainLoss > 0)
        #expect(objective >= trainLoss)  // objective = loss + alpha * R(W), R >= 0
        let trainAccuracy = try #require(JSONRead.number(summary["train_accuracy"]))
        #expect((0...1).contains(trainAccuracy))
        for key in ["train_seconds", "load_seconds", "samples_per_second"] {
            let v = try #require(JSONRead.number(summary[key]), "\(key)")
            #expect(v.isFinite && v >= 0, "\(key)")
        }

        // Without --quiet: one progress line per epoch on stderr.
        #expect(r.stderrLines.count == 3, "\(r)")
        for (i, line) in r.stderrLines.enumerated() {
            #expect(line.hasPrefix("epoch \(i + 1)/3"), "\(line)")
        }
    }

    @Test("with a test split, test_loss and test_accuracy are numbers, in the summary and in every metrics line")
    func testSplitGivesTestFigures() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 60).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 2, testFraction: 0.25), to: "run.json")

        let r = try box.run(["train", "--config", "run.json", "--out", "out", "--json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        let summary = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(Set(summary.keys) == Self.summaryKeys)
        let testLoss = try #require(JSONRead.number(summary["test_loss"]), "test_loss must be a number: \(r.stdout)")
        let testAccuracy = try #require(JSONRead.number(summary["test_accuracy"]), "test_accuracy must be a number")
        #expect(testLoss.isFinite && testLoss > 0)
        #expect((0...1).contains(testAccuracy))
        // A 25% stratified split of 20 rows per class leaves 5 per class for the test: accuracy is k/15.
        #expect(abs(testAccuracy * 15 - (testAccuracy * 15).rounded()) < 1e-9)

        let metricLines = CLI.lines(try box.read("out/metrics.jsonl"))
        #expect(metricLines.count == 2)
        for line in metricLines {
            let m = try JSONRead.object(line)
            #expect(JSONRead.number(m["test_loss"]) != nil, "\(line)")
            #expect(JSONRead.number(m["test_accuracy"]) != nil, "\(line)")
        }
        // The last epoch's test figures are the final model's.
        let last = try JSONRead.object(try #require(metricLines.last))
        #expect(JSONRead.number(last["test_accuracy"]) == testAccuracy)
    }

    @Test("--quiet: empty stderr; the text summary names the model path")
    func quietAndTextSummary() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 40).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 4), to: "run.json")

        let r = try box.run(["train", "--config", "run.json", "--out", "quiet-out", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        #expect(r.stdout.contains("trained 4 epochs"), "\(r)")
        #expect(r.stdout.contains("model: quiet-out/model.json"), "\(r)")
        // Without --json, no line of stdout is a JSON object.
        #expect(!r.stdoutLines.contains { $0.hasPrefix("{") })
        #expect(CLI.lines(try box.read("quiet-out/metrics.jsonl")).count == 4)
    }

    @Test("flags override the config: --epochs, --seed, --out, --workers")
    func flagsOverrideConfig() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 60).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 7, seed: 0, workers: 1, outputDir: "from-config"), to: "run.json")

        // First the config alone: 7 epochs, 1 worker, seed 0, its own output folder.
        let base = try box.run(["train", "--config", "run.json", "--json", "--quiet"])
        #expect(base.exitCode == 0, "\(base)")
        let baseSummary = try JSONRead.object(try #require(base.stdoutLines.last))
        #expect(JSONRead.int(baseSummary["epochs"]) == 7)
        #expect(JSONRead.int(baseSummary["workers"]) == 1)
        #expect(box.exists("from-config/model.json"))

        // Then every flag.
        let r = try box.run(["train", "--config", "run.json", "--epochs", "3", "--seed", "12345", "--out", "from-flag",
                             "--workers", "3", "--json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        let summary = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(JSONRead.int(summary["epochs"]) == 3)
        #expect(JSONRead.int(summary["workers"]) == 3)
        #expect(box.exists("from-flag/model.json"))
        #expect(CLI.lines(try box.read("from-flag/metrics.jsonl")).count == 3)

        // The resolved config stored in the model shows the overridden values.
        let model = try JSONRead.object(try box.read("from-flag/model.json"))
        let config = try #require(model["config"] as? [String: Any])
        let training = try #require(config["training"] as? [String: Any])
        #expect(JSONRead.int(training["epochs"]) == 3)
        #expect(JSONRead.int(training["seed"]) == 12345)
        #expect(JSONRead.int(config["workers"]) == 3)

        // The seed changes the shuffles, so the weights differ from a seed-0 run of 3 epochs.
        let seed0 = try box.run(["train", "--config", "run.json", "--epochs", "3", "--out", "seed0", "--quiet"])
        #expect(seed0.exitCode == 0, "\(seed0)")
        let w0 = JSONRead.matrix(try JSONRead.object(try box.read("seed0/model.json"))["weights"])
        let w1 = JSONRead.matrix(model["weights"])
        #expect(w0 != nil && w1 != nil)
        #expect(w0 != w1, "--seed had no effect on the weights")
    }

    @Test("without output.dir or --out the run goes to runs/<config name> in the working folder")
    func defaultOutputFolder() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 40).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 1), to: "my-experiment.json")
        let r = try box.run(["train", "--config", "my-experiment.json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(box.exists("runs/my-experiment/model.json"))
        #expect(box.exists("runs/my-experiment/metrics.jsonl"))
    }

    @Test("tol stops training early: fewer epochs than the limit, one metrics line per epoch run")
    func earlyStopping() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 40).csv(), to: "train.csv")
        var config = Configs.basic(epochs: 50)
        var training = config["training"] as! [String: Any]
        training["tol"] = 100.0  // no epoch improves the loss by 100: stop after n_iter_no_change epochs
        training["n_iter_no_change"] = 2
        config["training"] = training
        try box.writeJSON(config, to: "run.json")

        let r = try box.run(["train", "--config", "run.json", "--out", "out", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let summary = try JSONRead.object(try #require(r.stdoutLines.last))
        // Epoch 1 improves on +inf; epochs 2 and 3 do not improve by 100.
        #expect(JSONRead.int(summary["epochs"]) == 3)
        #expect(CLI.lines(try box.read("out/metrics.jsonl")).count == 3)
        #expect(r.stderrLines.count == 3)
    }

    @Test("a synthetic data set trains without any CSV file")
    func syntheticData() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.writeJSON([
            "data": ["synthetic": ["samples": 60, "features": 4, "classes": 3, "seed": 5], "test_fraction": 0.2] as [String: Any],
            "training": ["epochs": 2, "tol": NSNull(), "batch_size": 16],
        ], to: "synth.json")
        let r = try box.run(["train", "--config", "synth.json", "--out", "out", "--json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        let model = try JSONRead.object(try box.read("out/model.json"))
        #expect(JSONRead.strings(model["feature_names"]) == ["x0", "x1", "x2", "x3"])
        #expect(JSONRead.strings(model["classes"]) == ["0", "1", "2"])
    }

    @Test("relative paths in a config are resolved against the config's folder, not the working folder")
    func relativePathsResolveAgainstConfigFolder() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 45)
        try box.write(table.csv(), to: "project/data/train.csv")
        try box.write(table.csv(), to: "project/data/test.csv")
        try box.writeJSON([
            "data": ["train": "../data/train.csv", "test": "../data/test.csv"],
            "training": ["epochs": 2, "tol": NSNull(), "batch_size": 16] as [String: Any],
            "output": ["dir": "../runs/exp"],
        ], to: "project/configs/exp.json")
        try FileManager.default.createDirectory(at: box.url("elsewhere"), withIntermediateDirectories: true)
        // Decoys in the working folder: if the paths were taken relative to it, these would be used.
        try box.write("not,a,valid\ncsv\n", to: "data/train.csv")

        // Config named by a path relative to the working folder...
        let r1 = try box.run(["train", "--config", "../project/configs/exp.json", "--json", "--quiet"], in: "elsewhere")
        #expect(r1.exitCode == 0, "\(r1)")
        #expect(box.exists("project/runs/exp/model.json"))
        #expect(box.exists("project/runs/exp/metrics.jsonl"))
        #expect(!box.exists("runs"))
        #expect(!box.exists("elsewhere/runs"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("elsewhere")).isEmpty)
        // The test file was found too: there are test figures.
        let s1 = try JSONRead.object(try #require(r1.stdoutLines.last))
        #expect(JSONRead.number(s1["test_accuracy"]) != nil)

        // ...and by an absolute path.
        try FileManager.default.removeItem(at: box.url("project/runs"))
        let r2 = try box.run(["train", "--config", box.path("project/configs/exp.json"), "--quiet"], in: "elsewhere")
        #expect(r2.exitCode == 0, "\(r2)")
        #expect(box.exists("project/runs/exp/model.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("elsewhere")).isEmpty)
    }

    @Test("--out is taken relative to the working folder")
    func outFlagIsRelativeToWorkingFolder() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 40).csv(), to: "project/train.csv")
        try box.writeJSON(Configs.basic(epochs: 1), to: "project/run.json")
        try FileManager.default.createDirectory(at: box.url("cwd"), withIntermediateDirectories: true)
        let r = try box.run(["train", "--config", "../project/run.json", "--out", "flag-out", "--quiet"], in: "cwd")
        #expect(r.exitCode == 0, "\(r)")
        #expect(box.exists("cwd/flag-out/model.json"))
        #expect(!box.exists("project/flag-out"))
    }

    @Test("the same config gives bit-identical weights and bias with 1, 2, 3 and 8 workers")
    func determinismAcrossWorkerCounts() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // 100 rows, batch 64: batches of 64 and 36 rows, split into 4 and 2 shards.
        try box.write(DataTable(rows: 100, classes: ["a", "b", "c"], features: 4).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 4, testFraction: 0.2, batchSize: 64, seed: 3), to: "run.json")

        var results: [Int: (weights: String, bias: String, parsed: [[Double]])] = [:]
        for workers in [1, 2, 3, 8] {
            let r = try box.run(["train", "--config", "run.json", "--workers", "\(workers)", "--out", "w\(workers)",
                                 "--json", "--quiet"])
            #expect(r.exitCode == 0, "\(r)")
            let summary = try JSONRead.object(try #require(r.stdoutLines.last))
            #expect(JSONRead.int(summary["workers"]) == workers)
            let text = try box.read("w\(workers)/model.json")
            let model = try JSONRead.object(text)
            let weights = try #require(JSONRead.matrix(model["weights"]))
            results[workers] = (memberText("weights", in: text), memberText("bias", in: text), weights)
        }
        let reference = try #require(results[1])
        #expect(!reference.weights.isEmpty && !reference.bias.isEmpty)
        // The model actually learned something (not all zeros), so equality means something.
        #expect(reference.parsed.joined().contains { $0 != 0 })
        for workers in [2, 3, 8] {
            let r = try #require(results[workers])
            #expect(r.weights == reference.weights, "weights differ with \(workers) workers")
            #expect(r.bias == reference.bias, "bias differs with \(workers) workers")
        }
    }

    @Test("penalty l1: zero_fraction in the --json summary, every metrics line and the epoch lines; objective uses ||W||_1")
    func l1ReportsZeroWeights() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 120, classes: ["a", "b", "c"], features: 6).csv(), to: "train.csv")
        var config = Configs.basic(epochs: 4, batchSize: 16)
        var training = config["training"] as! [String: Any]
        training["penalty"] = "l1"
        training["alpha"] = 0.05
        config["training"] = training
        try box.writeJSON(config, to: "l1.json")
        let r = try box.run(["train", "--config", "l1.json", "--out", "out", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let summary = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(Set(summary.keys) == Self.summaryKeys.union(["zero_fraction"]))
        let zeros = try #require(JSONRead.number(summary["zero_fraction"]))
        #expect(zeros > 0 && zeros < 1)
        // The model file's weights agree with the reported fraction.
        let model = try JSONRead.object(try box.read("out/model.json"))
        let weights = try #require(JSONRead.matrix(model["weights"])).joined()
        #expect(abs(Double(weights.filter { $0 == 0 }.count) / Double(weights.count) - zeros) < 1e-12)
        let trainLoss = try #require(JSONRead.number(summary["train_loss"]))
        let objective = try #require(JSONRead.number(summary["objective"]))
        #expect(abs(objective - (trainLoss + 0.05 * weights.reduce(0) { $0 + abs($1) })) < 1e-6)
        for line in CLI.lines(try box.read("out/metrics.jsonl")) {
            #expect(JSONRead.number(try JSONRead.object(line)["zero_fraction"]) != nil)
        }
        #expect(r.stderrLines.allSatisfy { $0.contains("zero weights") }, "\(r)")
    }

    @Test("an mlp config trains; model.json stores its layers; evaluate and predict use it; 1, 2 and 3 workers agree")
    func mlpEndToEnd() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.writeJSON([
            "data": ["synthetic": ["shape": "rings", "samples": 400, "features": 2, "classes": 2, "noise": 0.1, "seed": 2],
                     "test_fraction": 0.25] as [String: Any],
            "model": ["type": "mlp", "hidden": [12, 5], "activation": "tanh"] as [String: Any],
            "training": ["epochs": 3, "tol": NSNull(), "batch_size": 40, "optimizer": "adam", "eta0": 0.01,
                         "learning_rate": "constant"] as [String: Any],
        ], to: "mlp.json")
        var layers: [Int: String] = [:]
        for workers in [1, 2, 3] {
            let r = try box.run(["train", "--config", "mlp.json", "--workers", "\(workers)", "--out", "w\(workers)", "--quiet"])
            #expect(r.exitCode == 0, "\(r)")
            let text = try box.read("w\(workers)/model.json")
            layers[workers] = memberText("layers", in: text)
        }
        #expect(layers[2] == layers[1] && layers[3] == layers[1] && !(layers[1] ?? "").isEmpty)
        let model = try JSONRead.object(try box.read("w1/model.json"))
        let spec = try #require(model["model"] as? [String: Any])
        #expect(spec["type"] as? String == "mlp" && spec["activation"] as? String == "tanh")
        #expect((spec["hidden"] as? [Any])?.compactMap(JSONRead.int) == [12, 5])
        let stack = try #require(model["layers"] as? [[String: Any]])
        // Two classes: one sigmoid output unit.
        #expect(stack.compactMap { JSONRead.matrix($0["weights"])?.count } == [12, 5, 1])
        #expect(stack.compactMap { JSONRead.matrix($0["weights"])?.first?.count } == [2, 12, 5])
        #expect(model["weights"] == nil)

        try box.write("x0,x1,label\n0.1,0.2,0\n2.0,0.1,1\n-1.9,0.3,1\n", to: "few.csv")
        let e = try box.run(["evaluate", "--model", "w1/model.json", "--data", "few.csv", "--json"])
        #expect(e.exitCode == 0, "\(e)")
        let p = try box.run(["predict", "--model", "w1/model.json", "--data", "few.csv", "--proba"])
        #expect(p.exitCode == 0, "\(p)")
        #expect(p.stdoutLines.count == 4)
    }

    /// The text of a top-level member of a model file, from its key to the end of its value.
    private func memberText(_ key: String, in text: String) -> String {
        guard let start = text.range(of: "\n  \"\(key)\": ") else { return "" }
        let rest = text[start.upperBound...]
        // Top-level members are separated by ",\n  \"".
        guard let end = rest.range(of: ",\n  \"") else { return String(rest) }
        return String(rest[..<end.lowerBound])
    }
}
