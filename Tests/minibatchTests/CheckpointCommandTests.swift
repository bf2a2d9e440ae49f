import Foundation
import Testing

/// `train --checkpoint-every`, `train --resume` and SIGINT / SIGTERM, run as processes.
@Suite struct CheckpointCommandTests {
    /// A network on a synthetic set, long enough to be interrupted mid-run.
    func writeConfig(_ box: Sandbox, epochs: Int = 20) throws {
        try box.writeJSON([
            "data": ["synthetic": ["samples": 8000, "features": 64, "classes": 3, "noise": 8, "seed": 4],
                     "test_fraction": 0.2] as [String: Any],
            "model": ["type": "mlp", "hidden": [64], "activation": "tanh"] as [String: Any],
            "training": ["epochs": epochs, "tol": NSNull(), "batch_size": 64, "optimizer": "sgd", "momentum": 0.9,
                         "learning_rate": "invscaling", "eta0": 0.05, "seed": 2] as [String: Any],
        ], to: "run.json")
    }

    func layers(_ box: Sandbox, _ folder: String) throws -> String {
        let text = try box.read(folder + "/model.json")
        let model = try JSONRead.object(text)
        let data = try JSONSerialization.data(withJSONObject: try #require(model["layers"]), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test("--checkpoint-every N, then --resume DIR: the same model bits as one uninterrupted run")
    func checkpointEveryThenResume() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeConfig(box, epochs: 5)
        let whole = try box.run(["train", "--config", "run.json", "--out", "whole", "--quiet"])
        #expect(whole.exitCode == 0, "\(whole)")
        let part = try box.run(["train", "--config", "run.json", "--out", "part", "--checkpoint-every", "2", "--quiet"])
        #expect(part.exitCode == 0, "\(part)")
        #expect(box.exists("part/checkpoint"))
        let checkpoint = try JSONRead.object(try box.read("part/checkpoint"))
        #expect(checkpoint["format"] as? String == "minibatch-checkpoint")
        #expect(JSONRead.int((checkpoint["state"] as? [String: Any])?["epoch"]) == 5)  // written after epoch 4
        // Resuming repeats epoch 5 from the checkpoint and rewrites the same model.
        try FileManager.default.removeItem(atPath: box.path("part/model.json"))
        let resumed = try box.run(["train", "--resume", "part", "--workers", "1", "--quiet"])
        #expect(resumed.exitCode == 0, "\(resumed)")
        #expect(try layers(box, "part") == layers(box, "whole"))
        #expect(CLI.lines(try box.read("part/metrics.jsonl")).count == 5)
    }

    @Test("SIGINT and SIGTERM: the step finishes, a checkpoint is written, exit 130 / 143; resuming gives the uninterrupted bits",
          arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, 143, "SIGTERM")])
    func signalsWriteACheckpoint(signal: Int32, code: Int32, name: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeConfig(box)
        let whole = try box.run(["train", "--config", "run.json", "--out", "whole", "--quiet"])
        #expect(whole.exitCode == 0, "\(whole)")
        let stopped = try box.run(["train", "--config", "run.json", "--out", "run"], signal: (signal, "epoch 2/"))
        #expect(stopped.exitCode == code, "\(stopped)")
        #expect(box.listing().contains("run/checkpoint"))
        #expect(!box.exists("run/model.json") && !box.exists("run/metrics.jsonl"))
        let last = try #require(stopped.stderrLines.last)
        #expect(last.contains("interrupted by \(name)") && last.contains("minibatch train --resume run"), "\(last)")
        let resumed = try box.run(["train", "--resume", "run", "--json", "--quiet"])
        #expect(resumed.exitCode == 0, "\(resumed)")
        #expect(try layers(box, "run") == layers(box, "whole"))
        // metrics.jsonl holds all 20 epochs with the uninterrupted run's figures (timings aside).
        func figures(_ folder: String) throws -> [[Double?]] {
            try CLI.lines(try box.read(folder + "/metrics.jsonl")).map { line in
                let m = try JSONRead.object(line)
                return ["epoch", "loss", "accuracy", "learning_rate", "test_loss", "test_accuracy"].map { JSONRead.number(m[$0]) }
            }
        }
        #expect(try figures("run").count == 20)
        #expect(try figures("run") == figures("whole"))
    }

    @Test("bad --resume uses: exit 2 with one line")
    func badResume() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeConfig(box, epochs: 2)
        var r = try box.run(["train", "--resume", "nowhere"])
        #expect(r.exitCode == 2 && r.stderrLines.count == 1 && r.stderr.contains("no checkpoint"), "\(r)")
        r = try box.run(["train", "--resume", "x", "--config", "run.json"])
        #expect(r.exitCode == 2 && r.stderrLines.count == 1 && r.stderr.contains("cannot be combined"), "\(r)")
        _ = try box.write("{\"format\": \"minibatch-checkpoint\", \"version\": 1", to: "broken/checkpoint")
        r = try box.run(["train", "--resume", "broken"])
        #expect(r.exitCode == 2 && r.stderrLines.count == 1 && r.stderr.contains("broken/checkpoint"), "\(r)")
        #expect(!box.exists("broken/model.json"))
        // A checkpoint whose data changed underneath it.
        try box.write(DataTable(rows: 60).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 4), to: "csv.json")
        r = try box.run(["train", "--config", "csv.json", "--out", "c", "--checkpoint-every", "1", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        try box.write(DataTable(rows: 61).csv(), to: "train.csv")
        r = try box.run(["train", "--resume", "c"])
        #expect(r.exitCode == 2 && r.stderrLines.count == 1 && r.stderr.contains("differs from the checkpoint"), "\(r)")
    }
}
