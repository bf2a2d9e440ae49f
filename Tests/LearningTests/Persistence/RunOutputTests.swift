import Foundation
import Testing
@testable import Learning

/// The run's output folder as one unit: lock, staging, commit journal, recovery, and what a
/// failed run leaves (nothing).
@Suite struct RunOutputTests {
    func checkpoint(epoch: Int) -> Checkpoint {
        var config = Config()
        var spec = SyntheticSpec()
        spec.samples = 40
        config.data.synthetic = spec
        // Checkpoints told apart by their parameters (a state at epoch 1, before any report).
        let state = TrainingState(parameters: [Float(epoch), 2, 3], seed: 7)
        return Checkpoint(config: config, initModel: nil, data: DataIdentity(blobs(samples: 40, features: 3, classes: 2)),
                          state: state)
    }

    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func commitWritesEveryFileWithNothingElseLeft() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let folder = dir.file("a/b/run")
        let output = try RunOutput.open(folder: folder, file: "c.json")
        #expect(names(folder).contains(FolderLock.fileName))
        try output.commit([("metrics.jsonl", "m\n"), ("report.html", "r\n"), ("model.json", "x\n")])
        output.close()
        #expect(names(folder) == ["metrics.jsonl", "model.json", "report.html"])
        #expect(try String(contentsOfFile: folder + "/model.json", encoding: .utf8) == "x\n")
    }

    @Test func aSecondHolderIsRefusedNamingTheFolderAndTheProcess() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let first = try RunOutput.open(folder: dir.path, file: "c.json")
        do {
            _ = try RunOutput.open(folder: dir.path, file: "c.json")
            Issue.record("a second open of a locked folder succeeded")
        } catch {
            #expect(error.isInputError)
            #expect(error.description.contains("'\(dir.path)' is in use by another minibatch run (process \(getpid()))"), "\(error)")
        }
        first.close()
        // Free again once released.
        let again = try RunOutput.open(folder: dir.path, file: "c.json")
        again.close()
        #expect(names(dir.path).isEmpty)
    }

    @Test func aFailedRunLeavesNothingItWrote() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        // A new folder: removed again, with the parents the run created.
        let fresh = dir.file("new/run")
        let output = try RunOutput.open(folder: fresh, file: "c.json")
        try output.writeCheckpoint(checkpoint(epoch: 2))
        #expect(FileManager.default.fileExists(atPath: fresh + "/checkpoint"))
        output.abandon()
        #expect(names(dir.path).isEmpty)

        // An earlier checkpoint comes back, byte for byte.
        try checkpoint(epoch: 1).write(folder: dir.path)
        let before = try String(contentsOfFile: dir.file("checkpoint"), encoding: .utf8)
        let second = try RunOutput.open(folder: dir.path, file: "c.json")
        try second.writeCheckpoint(checkpoint(epoch: 3))
        try second.writeCheckpoint(checkpoint(epoch: 5))
        #expect(try String(contentsOfFile: dir.file("checkpoint"), encoding: .utf8) != before)
        second.abandon()
        #expect(try String(contentsOfFile: dir.file("checkpoint"), encoding: .utf8) == before)
        #expect(names(dir.path) == ["checkpoint"])
    }

    @Test func checkpointsCarryTheRunIDAndAResumedRunKeepsIt() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let output = try RunOutput.open(folder: dir.path, file: "c.json")
        try output.writeCheckpoint(checkpoint(epoch: 2))
        output.close()
        let back = try Checkpoint.read(folder: dir.path)
        #expect(back.runID == output.runID && RunOutput.isRunID(output.runID))
        let resumed = try RunOutput.open(folder: dir.path, file: "c.json", runID: back.runID)
        #expect(resumed.runID == output.runID)
        // Its commit keeps its own checkpoint; a run without one removes an earlier run's.
        try resumed.commit([("model.json", "x\n")])
        resumed.close()
        #expect(names(dir.path) == ["checkpoint", "model.json"])
        let fresh = try RunOutput.open(folder: dir.path, file: "c.json")
        try fresh.commit([("model.json", "y\n")])
        fresh.close()
        #expect(names(dir.path) == ["model.json"])
    }

    @Test func theNextRunFinishesAKilledCommitAndRemovesStaleFiles() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        // A commit killed after its journal and two renames (metrics.jsonl, report.html are
        // the new run's; model.json and the checkpoint still the old run's).
        _ = dir.write("model.json", "old model\n")
        _ = dir.write("metrics.jsonl", "new metrics\n")
        _ = dir.write("checkpoint", "old checkpoint\n")
        try FileManager.default.createDirectory(atPath: dir.file(".staging-00000000000000aa"), withIntermediateDirectories: true)
        _ = dir.write(".staging-00000000000000aa/model.json", "new model\n")
        _ = dir.write("report.html", "new report\n")
        _ = dir.write(RunOutput.journalName, """
            {"run_id": "00000000000000aa", "staging": ".staging-00000000000000aa", \
            "rename": ["metrics.jsonl", "report.html", "model.json"], "remove": ["checkpoint"]}
            """)
        // A staging folder of a run killed before its commit, and a temporary file of a killed write.
        try FileManager.default.createDirectory(atPath: dir.file(".staging-00000000000000bb"), withIntermediateDirectories: true)
        _ = dir.write(".staging-00000000000000bb/model.json", "never committed\n")
        _ = dir.write(".model.json.tmp-1234-99", "half")
        let output = try RunOutput.open(folder: dir.path, file: "c.json")
        output.close()
        #expect(names(dir.path) == ["metrics.jsonl", "model.json", "report.html"])
        #expect(try String(contentsOfFile: dir.file("model.json"), encoding: .utf8) == "new model\n")
        #expect(try String(contentsOfFile: dir.file("metrics.jsonl"), encoding: .utf8) == "new metrics\n")
    }
}
