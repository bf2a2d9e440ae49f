import Foundation
import Learning
import Testing
@testable import minibatch

@Suite struct ProgressBarTests {
    func progress(done: Int, of total: Int, seconds: Double) -> TrainingProgress {
        TrainingProgress(epoch: 3, epochs: 50, batchesDone: done, batchesInEpoch: total, samplesDone: done * 100,
                         samplesInEpoch: total * 100, seconds: seconds, loss: 0.3121)
    }

    @Test func lineShowsBarBatchesRateTimeLeftAndLoss() {
        // 120 of 480 batches in 6 s: 2000 samples/s, 18 s left.
        // A wide terminal: the bar is 40 wide, a quarter of it filled.
        let line = ProgressBar.render(progress(done: 120, of: 480, seconds: 6), width: 120)
        let bar = "[" + String(repeating: "=", count: 10) + ">" + String(repeating: " ", count: 29) + "]"
        #expect(line == "epoch 3/50 " + bar + " 120/480      2e+03 samples/s   0:18 left  loss 0.312100")
    }

    @Test func barFillsWithTheEpochAndFitsTheWidth() {
        let full = ProgressBar.render(progress(done: 480, of: 480, seconds: 10), width: 90)
        let bar = full[full.firstIndex(of: "[")!...full.firstIndex(of: "]")!]
        #expect(!bar.contains(" ") && !bar.contains(">"))
        #expect(full.count <= 90)
        let empty = ProgressBar.render(progress(done: 0, of: 480, seconds: 0), width: 90)
        #expect(empty.contains("[>") && empty.contains("? left"))
        // A narrow terminal drops the bar, never the figures.
        let narrow = ProgressBar.render(progress(done: 10, of: 480, seconds: 1), width: 60)
        #expect(!narrow.contains("[") && narrow.count <= 60)
    }

    @Test func theBarKeepsItsLengthWhileFiguresChange() {
        let lengths = [(1, 0.01), (9, 0.2), (120, 6), (480, 30)].map { done, seconds in
            ProgressBar.render(progress(done: done, of: 480, seconds: seconds), width: 100).count
        }
        #expect(Set(lengths).count == 1, "\(lengths)")
    }

    @Test(arguments: [(0.0, "0:00"), (59.2, "1:00"), (61, "1:01"), (3599, "59:59"), (3600, "1:00:00"), (7384, "2:03:04"),
                      (Double.infinity, "?")])
    func durations(seconds: Double, text: String) {
        #expect(ProgressBar.duration(seconds) == text)
    }
}

/// The progress display as a user sees it: on a terminal (a pseudo-terminal made by
/// util-linux's `script`), when stderr is a file, and with --quiet.
@Suite struct ProgressDisplayTests {
    func config(_ box: Sandbox) throws {
        try box.write(DataTable(rows: 400, classes: ["a", "b"], features: 5).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 3, batchSize: 4), to: "run.json")
    }

    @Test("on a terminal: a live bar redrawn in place, one summary line left per epoch")
    func terminal() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try config(box)
        // util-linux's `script` runs the command on a pseudo-terminal and writes a transcript
        // of what the terminal received (the terminal turns "\n" into "\r\n").
        let inner = "'\(CLI.executable.path)' train --config run.json --out t"
        let r = try CLI.run(["-qec", inner, box.path("screen.txt")], in: box.root,
                            program: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(r.exitCode == 0, "\(r)")
        let transcript = try box.read("screen.txt")
        // Frames: carriage return, erase-line, "epoch 1/3 [".
        #expect(transcript.contains("\r\u{1B}[2Kepoch 1/3 ["), "\(transcript.debugDescription)")
        // What stays on screen: the text after the last carriage return of each line.
        let screen = transcript.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map { line in
            String(line.split(separator: "\r", omittingEmptySubsequences: false).last ?? "")
                .replacingOccurrences(of: "\u{1B}[2K", with: "")
        }
        let epochLines = screen.filter { $0.hasPrefix("epoch ") }
        #expect(epochLines.count == 3, "\(screen)")
        for (i, line) in epochLines.enumerated() { #expect(line.hasPrefix("epoch \(i + 1)/3  loss "), "\(line)") }
        #expect(screen.contains { $0.hasPrefix("trained 3 epochs") })
    }

    @Test("on a terminal: an error during an epoch clears the half-drawn bar before its message")
    func errorClearsTheBar() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // Two classes that overlap (labels unrelated to the features): with eta0 1e38 the
        // weights overflow within the first epoch.
        let rows = (0..<400).map { i in "\(sin(Double(i) * 1.7)),\(cos(Double(i) * 0.3)),\(i % 2)" }
        try box.write("a,b,label\n" + rows.joined(separator: "\n") + "\n", to: "train.csv")
        var c = Configs.basic(epochs: 3, batchSize: 4)
        c["training"] = (c["training"] as! [String: Any]).merging(["eta0": 1e38, "alpha": 0]) { $1 }
        try box.writeJSON(c, to: "diverge.json")
        let inner = "'\(CLI.executable.path)' train --config diverge.json --out d"
        let r = try CLI.run(["-qec", inner, box.path("screen.txt")], in: box.root,
                            program: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(r.exitCode == 1, "\(r)")
        let transcript = try box.read("screen.txt")
        // The bar was drawn, then erased ("\r", erase-line) right before the message.
        #expect(transcript.contains("\r\u{1B}[2Kepoch 1/3 ["), "\(transcript.debugDescription)")
        #expect(transcript.contains("\r\u{1B}[2Kminibatch: epoch 1: the loss or the weights became non-finite"),
                "\(transcript.debugDescription)")
    }

    @Test func loadingLineShowsMegabytesRead() {
        #expect(LoadingLine.render(FileReadProgress(file: "data/big.csv", bytesRead: 64 << 20, totalBytes: 512_300_000))
            == "loading data/big.csv: 67.1 of 512.3 MB")
        #expect(LoadingLine.render(FileReadProgress(file: "big.csv", bytesRead: 20_000_000, totalBytes: 20_000_000))
            == "loading big.csv: 20.0 MB read, parsing")
    }

    @Test("on a terminal: a line with the megabytes read while a large file loads, replaced by the bar")
    func loadingLine() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // 17 MB: over the 16 MB from which the line shows.
        let row = String(repeating: "0.25,", count: 40) + "a\n" + String(repeating: "0.75,", count: 40) + "b\n"
        let header = (0..<40).map { "x\($0)" }.joined(separator: ",") + ",label\n"
        try box.write(header + String(repeating: row, count: 17_000_000 / row.utf8.count + 1), to: "big.csv")
        try box.writeJSON(Configs.basic(train: "big.csv", epochs: 1, batchSize: 4096), to: "big.json")
        let inner = "'\(CLI.executable.path)' train --config big.json --out t"
        let r = try CLI.run(["-qec", inner, box.path("screen.txt")], in: box.root,
                            program: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(r.exitCode == 0, "\(r)")
        let transcript = try box.read("screen.txt")
        #expect(transcript.contains("\r\u{1B}[2Kloading big.csv: 17.0 MB read, parsing\r\u{1B}[2Kepoch 1/1 ["),
                "\(transcript.prefix(600).debugDescription)")
        // Not on a terminal: no loading line.
        let plain = try box.run(["train", "--config", "big.json", "--out", "p"])
        #expect(plain.exitCode == 0 && !plain.stderr.contains("loading"), "\(plain)")
    }

    @Test("stderr to a file: plain epoch lines, no control characters; --quiet: nothing")
    func notATerminal() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try config(box)
        let r = try box.run(["train", "--config", "run.json", "--out", "f"])
        #expect(r.exitCode == 0 && r.stderrLines.count == 3, "\(r)")
        #expect(!r.stderr.contains("\r") && !r.stderr.contains("\u{1B}"))
        let q = try box.run(["train", "--config", "run.json", "--out", "q", "--quiet"])
        #expect(q.exitCode == 0 && q.stderr.isEmpty, "\(q)")
    }
}
