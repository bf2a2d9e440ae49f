import Foundation
import Testing

/// `minibatch train` started by an MPI launcher, in a build without the MPI trait, and the
/// combine benchmark in one process. (scripts/mpi-check.sh runs the real ranks.)
@Suite struct RankedRunTests {
    /// Runs minibatch with extra environment variables (through env(1)).
    func run(_ box: Sandbox, env: [String], _ args: [String]) throws -> CLIResult {
        try CLI.run(env + [CLI.executable.path] + args, in: box.root, program: URL(fileURLWithPath: "/usr/bin/env"))
    }

    #if !MPI
    @Test("a build without MPI started as one of several ranks refuses: exit 2, one line, no files",
          arguments: ["OMPI_COMM_WORLD_SIZE=2", "PMI_SIZE=4"])
    func severalRanksWithoutMPIAreRefused(launcher: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 60).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 2), to: "run.json")
        let r = try run(box, env: [launcher], ["train", "--config", "run.json", "--out", "out"])
        #expect(r.exitCode == 2 && r.stderrLines.count == 1, "\(r)")
        #expect(r.stderr.contains("built without MPI") && r.stderr.contains("--traits MPI"), "\(r)")
        #expect(!box.exists("out"))
    }
    #endif

    @Test("a launcher's single rank trains as one process")
    func oneRankIsOneProcess() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 60).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 2), to: "run.json")
        let r = try run(box, env: ["OMPI_COMM_WORLD_SIZE=1"], ["train", "--config", "run.json", "--out", "out", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(box.exists("out/model.json"))
    }

    @Test("bench --combine times the local combine of both workloads, or a given shape")
    func combineBenchInOneProcess() throws {
        let box = try Sandbox()
        defer { box.remove() }
        var r = try box.run(["bench", "--combine", "--steps", "3"])
        #expect(r.exitCode == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("W1") && lines[1].hasPrefix("W3"), "\(r)")
        #expect(lines[0].contains("7850 floats, 8 shards, 1 process (gather)"))
        r = try box.run(["bench", "--combine", "--parameters", "100", "--shards", "3", "--steps", "2"])
        #expect(r.exitCode == 0 && r.stdout.contains("100 floats, 3 shards"), "\(r)")
        r = try box.run(["bench", "--combine", "--parameters", "0"])
        #expect(r.exitCode == 2 && r.stderrLines.count == 1 && r.stderr.contains("--parameters"), "\(r)")
    }
}
