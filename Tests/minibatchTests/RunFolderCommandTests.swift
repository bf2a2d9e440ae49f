import Foundation
import Testing

/// A run's files as one unit, seen from the command line: a second run into a busy folder,
/// a full disk, kills at random moments, a failed run with checkpoints, and `report` on a
/// folder that mixes two runs.
@Suite struct RunFolderCommandTests {
    /// A synthetic softmax run whose model.json is about `features` x `classes` numbers.
    func writeConfig(_ box: Sandbox, name: String = "run.json", samples: Int = 2000, features: Int, classes: Int,
                     epochs: Int, seed: Int = 1) throws {
        try box.writeJSON([
            "data": ["synthetic": ["samples": samples, "features": features, "classes": classes, "noise": 2, "seed": 3],
                     "test_fraction": 0.2] as [String: Any],
            "training": ["epochs": epochs, "tol": NSNull(), "batch_size": 32, "learning_rate": "constant", "eta0": 0.05,
                         "seed": seed] as [String: Any],
        ], to: name)
    }

    /// Starts minibatch without waiting for it; its output is thrown away.
    func start(_ args: [String], in box: Sandbox) throws -> Process {
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = args
        p.currentDirectoryURL = box.root
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = environment
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// The run id of each of the folder's files: model.json's training.run_id, each metrics
    /// line's run_id, report.html's meta tag.
    func runIDs(_ box: Sandbox, _ folder: String) throws -> (model: String?, metrics: Set<String?>, report: String?) {
        let model = try JSONRead.object(try box.read(folder + "/model.json"))
        let modelID = (model["training"] as? [String: Any])?["run_id"] as? String
        var metrics: Set<String?> = []
        for line in CLI.lines(try box.read(folder + "/metrics.jsonl")) {
            metrics.insert(try JSONRead.object(line)["run_id"] as? String)
        }
        let html = try box.read(folder + "/report.html")
        var reportID: String? = nil
        if let r = html.range(of: "<meta name=\"minibatch-run-id\" content=\"") {
            reportID = String(html[r.upperBound...].prefix(16))
        }
        return (modelID, metrics, reportID)
    }

    func entries(_ box: Sandbox, _ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: box.path(folder))) ?? []).sorted()
    }

    @Test("a second run into a busy folder is refused at once: exit 2 naming the folder and the other process")
    func busyFolder() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeConfig(box, samples: 20000, features: 50, classes: 3, epochs: 200)
        let first = try start(["train", "--config", "run.json", "--out", "out", "--quiet"], in: box)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        // Wait until the first run holds the lock (its pid in the lock file).
        let deadline = Date().addingTimeInterval(60)
        while (try? box.read("out/.minibatch.lock")) != "\(first.processIdentifier)\n" && Date() < deadline { usleep(10_000) }
        try #require(first.isRunning, "the first run ended before the second started")
        let before = box.listing()
        let second = try box.run(["train", "--config", "run.json", "--out", "out", "--quiet"])
        expectOneLineError(second, mentioning: ["'out' is in use by another minibatch run", "process \(first.processIdentifier)"])
        let report = try box.run(["report", "out"])
        expectOneLineError(report, mentioning: ["out: in use by a minibatch run", "process \(first.processIdentifier)"])
        #expect(box.listing() == before)
        // The first run, stopped by SIGINT: while training it writes its checkpoint, while
        // loading it ends at once and removes the folder it made; either way the lock is gone.
        kill(first.processIdentifier, SIGINT)
        first.waitUntilExit()
        #expect(first.terminationStatus == 130)
        #expect(entries(box, "out") == ["checkpoint"] || !box.exists("out"), "\(entries(box, "out"))")
    }

    @Test("report on a folder whose metrics.jsonl is another run's: exit 2 naming its line, nothing written")
    func mixedRunsAreRefusedByReport() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeConfig(box, features: 4, classes: 3, epochs: 2)
        for out in ["a", "b"] {
            let r = try box.run(["train", "--config", "run.json", "--out", out, "--quiet"])
            try #require(r.exitCode == 0, "\(r)")
        }
        try FileManager.default.removeItem(atPath: box.path("a/metrics.jsonl"))
        try FileManager.default.copyItem(atPath: box.path("b/metrics.jsonl"), toPath: box.path("a/metrics.jsonl"))
        let report = try box.read("a/report.html")
        let r = try box.run(["report", "a"])
        expectOneLineError(r, mentioning: ["a/metrics.jsonl:1:", "from another run than a/model.json"])
        #expect(try box.read("a/report.html") == report)
        #expect(entries(box, "a") == ["metrics.jsonl", "model.json", "report.html"])
    }

    @Test("a diverging run with --checkpoint-every leaves no checkpoint, and an earlier one comes back")
    func failedRunLeavesNoCheckpoint() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // Unstandardised features of about 1e3: a relu network at eta0 0.1 diverges in epoch 2,
        // after the checkpoint of epoch 1 (labels alternate x, y).
        let rows: [(Double, Double)] = [
            (-731.272, 694.867), (527.549, -489.862), (-9.12983, -101.018), (303.186, 577.447),
            (-812.281, -943.305), (671.53, -134.466), (524.56, -995.788), (-109.226, 443.08),
            (-542.476, 890.541), (802.855, -938.82), (-949.108, 82.8249), (878.298, -237.592),
            (-566.801, -155.767), (-941.918, -556.617), (-124.225, -8.37552), (-533.831, -538.267),
            (-562.438, -80.7931), (-420.437, -957.021), (675.156, 112.909), (284.589, -628.187),
            (985.087, 719.893), (-758.22, -334.61), (442.969, 422.384), (872.881, -155.786),
            (660.071, 340.611), (-393.263, 175.161), (764.958, 692.395), (10.5676, 178.005),
            (-930.948, -514.52), (594.808, -171.372), (-653.985, 97.5975), (406.082, 348.972),
            (-250.594, -122.077), (16.853, 556.885), (41.8768, -213.49), (-20.613, -940.85),
            (-913.025, 406.764), (966.375, 186.367), (-212.801, -659.302), (4.47712, 964.153),
        ]
        var csv = "a,b,label\n"
        for (i, (a, b)) in rows.enumerated() { csv += "\(a),\(b),\(i % 2 == 0 ? "x" : "y")\n" }
        try box.write(csv, to: "d.csv")
        func config(eta0: Double) throws {
            try box.writeJSON([
                "data": ["train": "d.csv", "test_fraction": 0, "standardize": false] as [String: Any],
                "model": ["type": "mlp", "hidden": [32, 32], "activation": "relu"] as [String: Any],
                "training": ["epochs": 30, "tol": NSNull(), "learning_rate": "constant", "eta0": eta0, "batch_size": 4,
                             "alpha": 0, "optimizer": "sgd", "momentum": 0.9] as [String: Any],
            ], to: "c.json")
        }
        try config(eta0: 0.1)
        let before = box.listing()
        let r = try box.run(["train", "--config", "c.json", "--out", "out", "--checkpoint-every", "1", "--quiet"])
        expectOneLineError(r, exitCode: 1, mentioning: ["non-finite"])
        #expect(box.listing() == before, "files appeared: \(Set(box.listing()).subtracting(before).sorted())")

        // An interrupted run's checkpoint, then a diverging run into the same folder: the
        // checkpoint is the interrupted run's again, byte for byte.
        try writeConfig(box, samples: 20000, features: 50, classes: 3, epochs: 200)
        let stopped = try box.run(["train", "--config", "run.json", "--out", "out"], signal: (SIGINT, "epoch 1/"))
        try #require(stopped.exitCode == 130, "\(stopped)")
        let checkpoint = try box.read("out/checkpoint")
        let diverging = try box.run(["train", "--config", "c.json", "--out", "out", "--checkpoint-every", "1", "--quiet"])
        expectOneLineError(diverging, exitCode: 1, mentioning: ["non-finite"])
        #expect(try box.read("out/checkpoint") == checkpoint)
        #expect(entries(box, "out") == ["checkpoint"])
    }

    @Test("SIGKILL and SIGTERM at random moments of a retrain: the folder holds one run's complete set after each")
    func killLoop() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try writeConfig(box, samples: 3000, features: 120, classes: 40, epochs: 3)
        let started = Date()
        let first = try box.run(["train", "--config", "run.json", "--out", "out", "--quiet"])
        try #require(first.exitCode == 0, "\(first)")
        let seconds = Date().timeIntervalSince(started)
        var ids: Set<String> = [try #require(try runIDs(box, "out").model)]
        var finishedByReport = 0
        for kill in 0..<12 {
            try writeConfig(box, samples: 3000, features: 120, classes: 40, epochs: 3, seed: kill + 2)
            let p = try start(["train", "--config", "run.json", "--out", "out", "--quiet"], in: box)
            // Mostly late in the run, where the files are written. Every other signal is
            // SIGTERM: a checkpoint while training, else the end at once (exit 143 either way).
            let signal = kill % 2 == 0 ? SIGKILL : SIGTERM
            usleep(UInt32(Double.random(in: 0.3...1.1) * seconds * 1e6))
            Foundation.kill(p.processIdentifier, signal)
            p.waitUntilExit()
            if signal == SIGTERM {
                #expect(p.terminationReason == .exit && [0, 143].contains(p.terminationStatus), "after kill \(kill)")
            }
            // A SIGTERM while training leaves its checkpoint beside the previous set.
            let visible = entries(box, "out").filter { !$0.hasPrefix(".") && $0 != "checkpoint" }
            #expect(visible == ["metrics.jsonl", "model.json", "report.html"], "after kill \(kill): \(entries(box, "out"))")
            let journal = box.exists("out/.minibatch.commit")
            let before = try runIDs(box, "out")
            if !journal {
                #expect(before.metrics == [before.model] && before.report == before.model, "after kill \(kill): \(before)")
            }
            // report finishes a killed commit and removes what killed runs left.
            let r = try box.run(["report", "out"])
            #expect(r.exitCode == 0, "\(r)")
            let after = try runIDs(box, "out")
            #expect(after.metrics == [after.model] && after.report == after.model, "after kill \(kill): \(after)")
            #expect(entries(box, "out").filter { $0 != "checkpoint" } == ["metrics.jsonl", "model.json", "report.html"],
                    "after kill \(kill)")
            if journal { finishedByReport += 1 }
            if let id = after.model { ids.insert(id) }
        }
        // A last run into the folder ends with its own complete set and nothing else (an
        // earlier run's checkpoint is removed with the commit).
        let last = try box.run(["train", "--config", "run.json", "--out", "out", "--quiet"])
        #expect(last.exitCode == 0, "\(last)")
        #expect(entries(box, "out") == ["metrics.jsonl", "model.json", "report.html"])
        let final = try runIDs(box, "out")
        #expect(final.metrics == [final.model] && final.report == final.model)
        print("kill loop: \(ids.count - 1) of 12 killed runs had committed, \(finishedByReport) commits finished by report")
    }

    @Test("a full disk (a 200 KB tmpfs): exit 1, the previous set unchanged, nothing new")
    func fullDisk() throws {
        guard getuid() == 0 else {
            print("RunFolderCommandTests.fullDisk skipped: mounting a tmpfs needs root (id -u is \(getuid()))")
            return
        }
        let box = try Sandbox()
        defer { box.remove() }
        try FileManager.default.createDirectory(atPath: box.path("disk"), withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=200k", "tmpfs", box.path("disk")]
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            print("RunFolderCommandTests.fullDisk skipped: mount -t tmpfs failed (a container without the right)")
            return
        }
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [box.path("disk")]
            try? umount.run()
            umount.waitUntilExit()
        }
        // A small run fits.
        try writeConfig(box, name: "small.json", samples: 200, features: 4, classes: 3, epochs: 2)
        let small = try box.run(["train", "--config", "small.json", "--out", "disk/run", "--quiet"])
        try #require(small.exitCode == 0, "\(small)")
        let files = ["metrics.jsonl", "model.json", "report.html"]
        let before = try files.map { try box.read("disk/run/" + $0) }
        // A run whose model.json alone is larger than the disk.
        try writeConfig(box, name: "big.json", samples: 400, features: 300, classes: 60, epochs: 1)
        let big = try box.run(["train", "--config", "big.json", "--out", "disk/run", "--quiet"])
        expectOneLineError(big, exitCode: 1, mentioning: ["No space left on device"])
        #expect(entries(box, "disk/run") == files)
        #expect(try files.map { try box.read("disk/run/" + $0) } == before)
        // Into a new folder: nothing at all.
        let fresh = try box.run(["train", "--config", "big.json", "--out", "disk/new", "--quiet"])
        expectOneLineError(fresh, exitCode: 1, mentioning: ["No space left on device"])
        #expect(entries(box, "disk") == ["run"])
    }
}
