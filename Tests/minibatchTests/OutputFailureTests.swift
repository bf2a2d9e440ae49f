import Foundation
import Testing

/// Output that cannot be written: stdout on a full device. Every command must end with one
/// line on stderr naming standard output and exit 1, never a crash (predict used to die with
/// SIGILL in FileHandle.write) and never exit 0 (evaluate --json, train --json and report
/// printed into the void and succeeded).
@Suite("output that cannot be written")
struct OutputFailureTests {
    static let full = "/dev/full"

    @Test("stdout on /dev/full: predict, predict --proba, evaluate, evaluate --json, train --json, report, help")
    func stdoutOnAFullDevice() throws {
        try #require(FileManager.default.fileExists(atPath: Self.full), "no /dev/full on this system")
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, epochs: 2, out: "run")
        let commands: [[String]] = [
            ["predict", "--model", model, "--data", "train.csv"],
            ["predict", "--model", model, "--data", "train.csv", "--proba"],
            ["evaluate", "--model", model, "--data", "train.csv"],
            ["evaluate", "--model", model, "--data", "train.csv", "--json"],
            ["train", "--config", "train-config.json", "--out", "again", "--json", "--quiet"],
            ["train", "--config", "train-config.json", "--out", "again2", "--quiet"],
            ["report", "run"],
            ["help", "train"],
            ["--help"],
        ]
        for args in commands {
            let r = try box.run(args, stdoutPath: Self.full)
            expectOneLineError(r, exitCode: 1, mentioning: ["standard output", "No space left on device"])
        }
    }
}
