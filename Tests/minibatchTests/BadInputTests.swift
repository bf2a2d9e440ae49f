import Foundation
import Testing

/// One bad input to `minibatch train`: the files to write, the arguments after
/// `train --config <config> --out out`, and what the one-line message must contain.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    /// Files written into the sandbox before the run (relative path -> contents).
    var files: [String: String]
    /// The config file passed with --config (need not exist).
    var config = "run.json"
    var extraArguments: [String] = []
    /// Substrings the stderr line must contain.
    var mentions: [String]
    var testDescription: String { name }

    static let goodCSV = DataTable(rows: 30).csv()

    /// A valid config with `training` members replaced by `training` (raw JSON member text).
    static func config(train: String = "data.csv", training: String = "", top: String = "", model: String = "") -> String {
        var t = #""epochs": 2, "tol": null, "batch_size": 8"#
        if !training.isEmpty { t += ", " + training }
        var s = "{\n  \"data\": {\"train\": \"\(train)\", \"test_fraction\": 0},\n  \"training\": {\(t)},\n"
        if !model.isEmpty { s += "  \"model\": {\(model)},\n" }
        if !top.isEmpty { s += "  \(top),\n" }
        s += "  \"output\": {\"dir\": \"out\"}\n}\n"
        return s
    }

    /// A data file `data.csv` with `csv` and a valid config naming it.
    static func data(_ name: String, _ csv: String, mentions: [String]) -> BadInput {
        BadInput(name: name, files: ["data.csv": csv, "run.json": config()], mentions: mentions)
    }

    /// A config with `data.csv` valid and the config's own text given.
    static func configText(_ name: String, _ text: String, extra: [String] = [], mentions: [String]) -> BadInput {
        BadInput(name: name, files: ["data.csv": goodCSV, "run.json": text], extraArguments: extra, mentions: mentions)
    }

    static let all: [BadInput] = [
        BadInput(name: "missing data file", files: ["run.json": config(train: "absent.csv")],
                 mentions: ["absent.csv", "no such file"]),
        BadInput(name: "missing config file", files: ["data.csv": goodCSV], config: "nothere.json",
                 mentions: ["nothere.json", "no such config file"]),
        data("ragged row", "f0,f1,label\n1,2,a\n3,b\n5,6,a\n", mentions: ["data.csv:3:", "found 2"]),
        data("non-numeric cell", "f0,f1,label\n1,2,a\n3,4,b\n5,six,a\n", mentions: ["data.csv:4:", "'six'", "f1"]),
        data("NaN value", "f0,f1,label\n1,2,a\n3,NaN,b\n", mentions: ["data.csv:3:", "NaN"]),
        data("Inf value", "f0,f1,label\n1,2,a\n3,4,b\ninf,4,b\n", mentions: ["data.csv:4:", "inf"]),
        data("negative Inf value", "f0,f1,label\n1,-Infinity,a\n3,4,b\n", mentions: ["data.csv:2:", "-Infinity"]),
        data("value beyond float32", "f0,f1,label\n1,2,a\n3,1e39,b\n", mentions: ["data.csv:3:", "1e39"]),
        data("empty cell", "f0,f1,label\n1,2,a\n3,,b\n", mentions: ["data.csv:3:", "f1"]),
        data("empty file", "", mentions: ["data.csv", "empty"]),
        data("header-only file", "f0,f1,label\n", mentions: ["data.csv", "no data rows"]),
        data("a single class", "f0,f1,label\n1,2,a\n3,4,a\n5,6,a\n", mentions: ["data.csv", "one class"]),
        data("all features constant", "f0,f1,label\n1,2,a\n1,2,b\n1,2,a\n1,2,b\n", mentions: ["data.csv", "constant"]),
        data("a line break inside quotes", "f0,f1,label\n1,2,\"a\nb\"\n3,4,b\n", mentions: ["data.csv:2:", "quoted"]),
        data("label column missing", "f0,f1,class\n1,2,a\n3,4,b\n", mentions: ["data.csv:1:", "'label'"]),
        data("duplicate column name", "f0,f0,label\n1,2,a\n3,4,b\n", mentions: ["data.csv:1:", "'f0'"]),
        data("unclosed quote", "f0,f1,label\n1,2,a\n3,4,\"b\n", mentions: ["data.csv:3:", "quoted"]),
        configText("unknown config key", config(training: #""bogus": 1"#), mentions: ["run.json", "training.bogus"]),
        configText("unknown top-level key", config(top: #""extra": true"#), mentions: ["run.json", "extra"]),
        configText("wrong value type", config(training: #""batch_size": "ten""#).replacingOccurrences(
            of: #""batch_size": 8, "#, with: ""), mentions: ["run.json", "training.batch_size", "ten"]),
        configText("negative eta0", config(training: #""eta0": -0.5"#), mentions: ["run.json", "training.eta0"]),
        configText("batch_size 0", config(training: #""batch_size": 0"#).replacingOccurrences(
            of: #""batch_size": 8, "#, with: ""), mentions: ["run.json", "training.batch_size"]),
        configText("non-integer epochs", config(training: #""epochs": 2.5"#).replacingOccurrences(
            of: #""epochs": 2, "#, with: ""), mentions: ["run.json", "training.epochs"]),
        configText("unknown learning rate", config(training: #""learning_rate": "fast""#),
                   mentions: ["run.json", "training.learning_rate", "fast"]),
        configText("negative workers in the config", config(top: #""workers": -1"#), mentions: ["run.json", "workers"]),
        configText("negative workers via --workers", config(), extra: ["--workers", "-1"], mentions: ["--workers", "-1"]),
        configText("negative workers via --workers=", config(), extra: ["--workers=-1"], mentions: ["--workers", "-1"]),
        configText("--workers absurdly large", config(), extra: ["--workers", "100000"],
                   mentions: ["--workers", "100000", "1024", "not clamped"]),
        configText("--workers beyond any integer", config(), extra: ["--workers=99999999999999999999"],
                   mentions: ["--workers", "not an integer"]),
        configText("workers too large in the config", config(top: #""workers": 5000"#),
                   mentions: ["run.json", "workers", "5000", "1024"]),
        configText("JSON syntax error", "{\n  \"data\": {\"train\": \"data.csv\"},\n  \"training\": {\"epochs\": 3,}\n}\n",
                   mentions: ["run.json:3:28:"]),
        configText("JSON syntax error at the end", "{\"data\": {\"train\": \"data.csv\"}\n", mentions: ["run.json:2:1:"]),
        configText("empty config file", "", mentions: ["run.json:1:1:"]),
        configText("config not an object", "[1, 2]\n", mentions: ["run.json"]),
        configText("data.label_column with CSV data (it was ignored)",
                   config().replacingOccurrences(of: #""test_fraction": 0"#, with: #""test_fraction": 0, "label_column": 0"#),
                   mentions: ["run.json", "data.label_column", ".npy"]),
        configText("data.train_labels with CSV data (it was ignored)",
                   config().replacingOccurrences(of: #""test_fraction": 0"#, with: #""test_fraction": 0, "train_labels": "y.npy""#),
                   mentions: ["run.json", "data.train_labels", ".npy"]),
        configText("logistic model with 3 classes", config(model: #""type": "logistic""#),
                   mentions: ["run.json", "model.type", "3"]),
        configText("no training data named", "{\"training\": {\"epochs\": 1}}\n", mentions: ["run.json", "data.train"]),
        // Sizes each within their limits whose products need more memory than any machine has
        // (10^13 to 10^15 bytes): refused from the sizes, before allocating (these runs used to
        // be killed by the system, or abort with "failed to allocate").
        BadInput(name: "LIBSVM index 2^31 - 1 with 10000 classes: a model beyond any memory",
                 files: ["data.svm": (0..<10_000).map { i in i == 6 ? "6 2147483647:1\n" : "\(i) \(i % 7 + 1):1\n" }.joined(),
                         "run.json": config(train: "data.svm")],
                 mentions: ["data.svm:7:", "feature index 2147483647", "10000 outputs", "GB", "this machine's"]),
        configText("synthetic samples x features beyond any memory",
                   #"{"data": {"synthetic": {"samples": 100000000, "features": 1000000}}, "output": {"dir": "out"}}"#,
                   mentions: ["run.json", "data.synthetic.samples", "GB", "this machine's"]),
        configText("network layers beyond any memory",
                   #"{"data": {"synthetic": {"samples": 50, "features": 4}}, "model": {"type": "mlp", "hidden": ["#
                       + Array(repeating: "100000", count: 64).joined(separator: ", ") + #"]}, "output": {"dir": "out"}}"#,
                   mentions: ["run.json", "model.hidden", "GB", "this machine's"]),
        BadInput(name: "test file with a missing feature column",
                 files: ["data.csv": goodCSV, "test.csv": "f0,f1,label\n1,2,red\n",
                         "run.json": config().replacingOccurrences(of: #""test_fraction": 0"#, with: #""test": "test.csv""#)],
                 mentions: ["test.csv:1:", "f2"]),
    ]
}

@Suite("bad input")
struct BadInputTests {
    @Test("train rejects bad input: exit 2, one stderr line naming the file/line or key, no output", arguments: BadInput.all)
    func rejected(_ c: BadInput) throws {
        let box = try Sandbox()
        defer { box.remove() }
        for (path, text) in c.files { try box.write(text, to: path) }
        let before = box.listing()

        let r = try box.run(["train", "--config", c.config, "--out", "out"] + c.extraArguments)
        expectOneLineError(r, mentioning: c.mentions)
        #expect(r.stdout.isEmpty, "\(r)")
        // Nothing written: no output folder (from --out or from the config), no model, no
        // metrics, no temporary file anywhere in the sandbox.
        #expect(!box.exists("out"))
        #expect(!box.exists("out/model.json") && !box.exists("out/metrics.jsonl"))
        #expect(!box.exists("runs"))
        #expect(box.listing() == before, "files appeared: \(Set(box.listing()).subtracting(before).sorted())")
    }

    @Test("a checkpoint that does not fit the model or the data: exit 2 naming the checkpoint and the key, nothing written",
          arguments: [
              ("parameters", "state.parameters"), ("optimizer", "state.optimizer"), ("l1_received", "state.l1_received"),
              ("best_parameters", "state.best_parameters"), ("position", "state.position"),
          ])
    func checkpointThatDoesNotFit(_ member: String, _ key: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 60).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 3), to: "run.json")
        let r0 = try box.run(["train", "--config", "run.json", "--out", "c", "--checkpoint-every", "1", "--quiet"])
        #expect(r0.exitCode == 0, "\(r0)")
        var checkpoint = try JSONRead.object(try box.read("c/checkpoint"))
        var state = try #require(checkpoint["state"] as? [String: Any])
        switch member {
        case "parameters": state[member] = Array((try #require(state[member] as? [Any])).dropLast())
        case "position": state[member] = 1000  // the epoch has 60 rows
        default: state[member] = [0.5, 0.25]  // plain sgd, l2, no early stopping: none or null
        }
        checkpoint["state"] = state
        try box.writeJSON(checkpoint, to: "c/checkpoint")
        let before = box.listing(), model = try box.read("c/model.json")
        let r = try box.run(["train", "--resume", "c", "--quiet"])
        expectOneLineError(r, mentioning: ["c/checkpoint", key])
        let after = try box.read("c/model.json")
        #expect(box.listing() == before && after == model)
    }

    @Test("a config pointing at a folder instead of a data file: exit 2 naming it")
    func dataPathIsAFolder() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try FileManager.default.createDirectory(at: box.url("data.csv"), withIntermediateDirectories: true)
        try box.write(BadInput.config(), to: "run.json")
        let before = box.listing()
        let r = try box.run(["train", "--config", "run.json"])
        expectOneLineError(r, mentioning: ["data.csv"])
        #expect(box.listing() == before)
    }

    @Test("an output folder that is a file, or holds a folder where a file goes: exit 2 before training, nothing written",
          arguments: ["a file as the folder", "a file above the folder", "model.json is a folder", "metrics.jsonl is a folder"])
    func unusableOutputFolder(_ setup: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(BadInput.goodCSV, to: "data.csv")
        try box.write(BadInput.config(), to: "run.json")
        var out = "out"
        var mentions: [String]
        switch setup {
        case "a file as the folder":
            try box.write("not a folder\n", to: "out")
            mentions = ["'out' is a file"]
        case "a file above the folder":
            try box.write("not a folder\n", to: "out")
            out = "out/sub"
            mentions = ["'out' is a file", "out/sub"]
        case "model.json is a folder":
            try FileManager.default.createDirectory(at: box.url("out/model.json"), withIntermediateDirectories: true)
            mentions = ["out/model.json", "is a folder"]
        default:
            try FileManager.default.createDirectory(at: box.url("out/metrics.jsonl"), withIntermediateDirectories: true)
            mentions = ["out/metrics.jsonl", "is a folder"]
        }
        let before = box.listing()
        // Epochs progress lines would show that training ran before the error.
        let r = try box.run(["train", "--config", "run.json", "--out", out])
        expectOneLineError(r, mentioning: ["output.dir"] + mentions)
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(box.listing() == before, "files appeared: \(Set(box.listing()).subtracting(before).sorted())")
    }

    @Test("labels that are not UTF-8 (a Latin-1 file): exit 2 naming the line, not merged into one class")
    func labelsThatAreNotUTF8() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // "café" and "cafè" in Latin-1: decoded as UTF-8 both became "caf\u{FFFD}".
        var bytes = Array("f0,f1,label\n1,2,x\n".utf8)
        for (i, accent) in [0xE9, 0xE8, 0xE9, 0xE8].enumerated() {
            bytes += Array("\(i),\(2 * i + 1),caf".utf8) + [UInt8(accent), 0x0A]
        }
        try Data(bytes).write(to: box.url("data.csv"))
        try box.write(BadInput.config(), to: "run.json")
        let before = box.listing()
        let r = try box.run(["train", "--config", "run.json", "--out", "out"])
        expectOneLineError(r, mentioning: ["data.csv:3:", "UTF-8"])
        #expect(box.listing() == before, "files appeared: \(Set(box.listing()).subtracting(before).sorted())")
    }

    @Test("one-character names for the config and the output folder: no crash (Foundation traps cutting such paths)")
    func oneCharacterNames() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(BadInput.goodCSV, to: "data.csv")
        try box.write(BadInput.config(), to: "c")
        let r = try box.run(["train", "--config", "c", "--out", "o", "--quiet"])
        #expect(r.exitCode == 0 && box.exists("o/model.json"), "\(r)")
    }

    @Test("training that diverges fails with exit 1, one line, and writes nothing")
    func divergingTrainingFails() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("a,b,label\n1e30,2e30,x\n-1e30,3e30,y\n2e30,-1e30,x\n-2e30,1e30,y\n", to: "huge.csv")
        try box.writeJSON([
            "data": ["train": "huge.csv", "test_fraction": 0, "standardize": false] as [String: Any],
            "training": ["epochs": 3, "tol": NSNull(), "learning_rate": "constant", "eta0": 1] as [String: Any],
        ], to: "huge.json")
        let before = box.listing()
        let r = try box.run(["train", "--config", "huge.json", "--out", "out", "--quiet"])
        expectOneLineError(r, exitCode: 1, mentioning: ["non-finite"])
        #expect(!box.exists("out"))
        #expect(box.listing() == before)
    }

    @Test("a failed run leaves an earlier run's files in place and unchanged")
    func failedRunKeepsEarlierOutput() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(BadInput.goodCSV, to: "data.csv")
        try box.write(BadInput.config(), to: "run.json")
        let ok = try box.run(["train", "--config", "run.json", "--quiet"])
        #expect(ok.exitCode == 0, "\(ok)")
        let model = try box.read("out/model.json")
        let metrics = try box.read("out/metrics.jsonl")
        let report = try box.read("out/report.html")

        try box.write("f0,f1,f2,label\n1,2,3,red\n4,5,x,green\n", to: "data.csv")
        let bad = try box.run(["train", "--config", "run.json", "--quiet"])
        expectOneLineError(bad, mentioning: ["data.csv:3:"])
        #expect(try box.read("out/model.json") == model)
        #expect(try box.read("out/metrics.jsonl") == metrics)
        #expect(try box.read("out/report.html") == report)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("out")).sorted() == ["metrics.jsonl", "model.json", "report.html"])
    }
}

@Suite("bad input to evaluate and predict")
struct ScoringBadInputTests {
    @Test("evaluate --labels with a CSV file: exit 2 naming the labels file, not silently ignored")
    func labelsFileWithCSVData() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        // The labels file need not exist: the flag is wrong for CSV data either way.
        let r = try box.run(["evaluate", "--model", model, "--data", "train.csv", "--labels", "labels.npy"])
        expectOneLineError(r, mentioning: ["labels.npy", "CSV", ".npy data"])
        #expect(r.stdout.isEmpty, "\(r)")
    }

    @Test("evaluate on a .npy array without --labels: exit 2 saying to give --labels")
    func npyWithoutLabels() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, table: DataTable(rows: 30, features: 3))
        try InputFileTests.npy((0..<15).map { Float($0) }, rows: 5, columns: 3).write(to: box.url("x.npy"))
        let r = try box.run(["evaluate", "--model", model, "--data", "x.npy"])
        expectOneLineError(r, mentioning: ["x.npy", "--labels"])
        #expect(!(r.stderrLines.first ?? "").contains("x.npy:1:"), "a .npy file has no lines: \(r)")
    }

    @Test("a model file naming a feature twice: exit 2 naming the model file, not the data")
    func modelWithDuplicateFeatureNames() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        let text = try box.read(model)
        let names = #""feature_names": ["f0","f1","f2"]"#
        try #require(text.contains(names), "the model file's layout changed: \(text)")
        try box.write(text.replacingOccurrences(of: names, with: #""feature_names": ["f0","f0","f2"]"#), to: "twice.json")
        for command in ["evaluate", "predict"] {
            let r = try box.run([command, "--model", "twice.json", "--data", "train.csv"])
            expectOneLineError(r, mentioning: ["twice.json", "feature_names", "'f0' twice"])
        }
    }
}
