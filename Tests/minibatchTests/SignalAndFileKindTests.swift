import Foundation
import Testing

/// Files that are not regular files, and SIGTERM at moments other than the training loop.
@Suite struct SignalAndFileKindTests {
    @Test("a FIFO or a device as data, config or model: exit 2 saying what it is, no hang")
    func filesThatAreNotRegular() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, epochs: 2, out: "run")
        try #require(mkfifo(box.path("pipe.csv"), 0o644) == 0)
        try #require(mkfifo(box.path("pipe.json"), 0o644) == 0)
        try box.writeJSON(Configs.basic(train: "pipe.csv"), to: "fifo-data.json")
        let before = box.listing()
        var r = try box.run(["train", "--config", "fifo-data.json", "--out", "o", "--quiet"])
        expectOneLineError(r, mentioning: ["pipe.csv: is a FIFO (named pipe), not a regular file"])
        r = try box.run(["train", "--config", "pipe.json", "--out", "o", "--quiet"])
        expectOneLineError(r, mentioning: ["pipe.json: is a FIFO (named pipe), not a regular file"])
        r = try box.run(["predict", "--model", model, "--data", "/dev/zero", "--format", "csv"])
        expectOneLineError(r, mentioning: ["/dev/zero: is a character device, not a regular file"])
        r = try box.run(["evaluate", "--model", "/dev/zero", "--data", "train.csv"])
        expectOneLineError(r, mentioning: ["/dev/zero: is a character device, not a regular file"])
        r = try box.run(["predict", "--model", model, "--data", "pipe.csv"])
        expectOneLineError(r, mentioning: ["pipe.csv: is a FIFO (named pipe), not a regular file"])
        #expect(box.listing() == before, "files appeared: \(Set(box.listing()).subtracting(before).sorted())")
    }

    @Test("SIGTERM while the data loads ends the run at once (exit 143) and leaves nothing")
    func sigtermWhileLoading() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.writeJSON([
            "data": ["synthetic": ["samples": 1_000_000, "features": 100, "classes": 3, "noise": 1, "seed": 1],
                     "test_fraction": 0.2] as [String: Any],
            "training": ["epochs": 1] as [String: Any],
        ], to: "big.json")
        for existing in [false, true] {
            if existing { try box.write("", to: "out/keep") }
            let before = box.listing()
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["train", "--config", "big.json", "--out", "out", "--quiet"]
            p.currentDirectoryURL = box.root
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Until the lock file shows the run has started loading.
            let started = Date().addingTimeInterval(30)
            while !box.exists("out/.minibatch.lock") && Date() < started { usleep(5_000) }
            usleep(200_000)
            kill(p.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while p.isRunning && Date() < deadline { usleep(10_000) }
            let stoppedInTime = !p.isRunning
            if !stoppedInTime { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            #expect(stoppedInTime, "SIGTERM did not end the run within 5 s")
            #expect(p.terminationReason == .exit && p.terminationStatus == 143)
            #expect(box.listing() == before, "left behind: \(Set(box.listing()).symmetricDifference(before).sorted())")
        }
    }
}
