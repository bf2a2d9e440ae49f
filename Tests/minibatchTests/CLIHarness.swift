import Foundation
import Testing

// Shared helpers of the command-line tests: run the built `minibatch` binary in a working
// folder, give every test a fresh temporary folder, make small deterministic data sets and
// configs, and read JSON and CSV output without the library under test.

/// What one run of the binary did.
struct CLIResult: Sendable, CustomStringConvertible {
    var arguments: [String]
    var exitCode: Int32
    var stdout: String
    var stderr: String

    /// stdout split into lines, without the empty piece after a final line break.
    var stdoutLines: [String] { CLI.lines(stdout) }
    /// stderr split into lines, without the empty piece after a final line break.
    var stderrLines: [String] { CLI.lines(stderr) }

    var description: String {
        "minibatch \(arguments.joined(separator: " ")) -> exit \(exitCode)\n--- stdout:\n\(stdout)\n--- stderr:\n\(stderr)"
    }
}

enum CLI {
    /// The `minibatch` executable: $MINIBATCH_BIN; else next to the test runner (the build
    /// products folder, or up to three folders above it for a runner inside a bundle);
    /// else <package root>/.build/debug/minibatch.
    static let executable: URL = {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["MINIBATCH_BIN"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        func isExecutableFile(_ url: URL) -> Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &isDir) && !isDir.boolValue
                && fm.isExecutableFile(atPath: url.path)
        }
        var folders: [URL] = []
        if let exe = Bundle.main.executableURL { folders.append(exe.deletingLastPathComponent()) }
        if let arg0 = CommandLine.arguments.first, !arg0.isEmpty {
            folders.append(URL(fileURLWithPath: arg0).deletingLastPathComponent())
        }
        for start in folders {
            var folder = start.standardizedFileURL
            for _ in 0...3 {
                let candidate = folder.appendingPathComponent("minibatch")
                if isExecutableFile(candidate) { return candidate }
                folder = folder.deletingLastPathComponent()
            }
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/minibatch")
    }()

    /// Runs `minibatch args...` with `directory` as its working folder and waits for it
    /// (at most `timeout` seconds; a run that takes longer is killed and recorded as an issue).
    /// - Parameter signal: sends this signal to the child once its stderr contains the text
    ///   (at most once).
    /// - Parameter program: another program to run instead of `minibatch` (for wrappers).
    /// - Parameter stdoutPath: a file (such as /dev/full) to give the child as its stdout
    ///   instead of the captured one; the result's stdout is then empty.
    static func run(_ args: [String], in directory: URL, timeout: TimeInterval = 120,
                    signal: (number: Int32, whenStderrContains: String)? = nil, program: URL? = nil,
                    stdoutPath: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let fm = FileManager.default
        let executable = program ?? Self.executable
        try #require(fm.isExecutableFile(atPath: executable.path),
                     "\(executable.path) not found; for minibatch set MINIBATCH_BIN", sourceLocation: sourceLocation)
        // Output goes to files outside the test's folder: no pipe can fill up and block the
        // child, and the folder's listing stays what the command itself wrote.
        let capture = fm.temporaryDirectory.appendingPathComponent("minibatch-capture-\(UUID().uuidString)")
        try fm.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout")
        let errURL = capture.appendingPathComponent("stderr")
        _ = fm.createFile(atPath: outURL.path, contents: nil)
        _ = fm.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: stdoutPath.map { URL(fileURLWithPath: $0) } ?? outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = args
        process.currentDirectoryURL = directory
        // No crash backtracer: it is a helper process that inherits the child's descriptors,
        // which keeps Foundation from noticing the child's exit. A crash is reported below.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        var pendingSignal = signal
        func waitForExit(seconds: TimeInterval) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline {
                usleep(2_000)
                if let s = pendingSignal, let err = try? Data(contentsOf: errURL),
                   String(decoding: err, as: UTF8.self).contains(s.whenStderrContains) {
                    kill(process.processIdentifier, s.number)
                    pendingSignal = nil
                }
            }
            return !process.isRunning
        }
        var exited = waitForExit(seconds: timeout)
        if !exited {
            Issue.record("minibatch \(args.joined(separator: " ")) ran longer than \(timeout) s; killed", sourceLocation: sourceLocation)
            process.terminate()
            exited = waitForExit(seconds: 5)
            if !exited {
                kill(process.processIdentifier, SIGKILL)
                exited = waitForExit(seconds: 5)
            }
        }
        try outHandle.close()
        try errHandle.close()
        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        var stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        // Never block on a child that will not go away: report it as exit code -1.
        guard exited else {
            return CLIResult(arguments: args, exitCode: -1, stdout: stdout, stderr: stderr + "\n[did not exit]")
        }
        if process.terminationReason == .uncaughtSignal {
            stderr += "\n[killed by signal \(process.terminationStatus)]"
            Issue.record("minibatch \(args.joined(separator: " ")) crashed with signal \(process.terminationStatus)",
                         sourceLocation: sourceLocation)
            return CLIResult(arguments: args, exitCode: -1, stdout: stdout, stderr: stderr)
        }
        return CLIResult(arguments: args, exitCode: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    static func lines(_ text: String) -> [String] {
        var parts = text.components(separatedBy: "\n")
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}

/// A fresh temporary folder for one test. Call `remove()` at the end (`defer`).
struct Sandbox: Sendable {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("minibatchTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    func path(_ relative: String) -> String { url(relative).path }

    /// Writes `text` to `relative`, creating its folders.
    @discardableResult
    func write(_ text: String, to relative: String) throws -> URL {
        let u = url(relative)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: u)
        return u
    }

    /// Writes a JSON object (built from dictionaries, arrays, strings, numbers, NSNull) to `relative`.
    @discardableResult
    func writeJSON(_ object: [String: Any], to relative: String) throws -> URL {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return try write(String(decoding: data, as: UTF8.self) + "\n", to: relative)
    }

    func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: url(relative)), as: UTF8.self)
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// Every file and folder under the sandbox (hidden ones included), as sorted relative paths.
    func listing() -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String { out.append(p) }
        return out.sorted()
    }

    /// Runs minibatch with the sandbox (or `subfolder` of it) as the working folder.
    func run(_ args: [String], in subfolder: String? = nil, signal: (number: Int32, whenStderrContains: String)? = nil,
             stdoutPath: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        try CLI.run(args, in: subfolder.map { url($0) } ?? root, signal: signal, stdoutPath: stdoutPath,
                    sourceLocation: sourceLocation)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// A small labelled data set made by a fixed formula: row i has class k = i mod K, and
/// feature j is k * (1.5 for even j, -1 for odd j) + 0.25 j + 0.9 sin(0.7 i + 1.3 j), rounded to
/// three decimals, so the classes are well apart but overlap a little.
struct DataTable: Sendable {
    var featureNames: [String]
    var features: [[Double]]
    var labels: [String]
    var labelName = "label"

    init(rows: Int = 60, classes: [String] = ["red", "green", "blue"], features: Int = 3) {
        featureNames = (0..<features).map { "f\($0)" }
        var xs: [[Double]] = []
        var ys: [String] = []
        for i in 0..<rows {
            let k = i % classes.count
            xs.append((0..<features).map { j in
                let centre = Double(k) * (j % 2 == 0 ? 1.5 : -1.0) + Double(j) * 0.25
                let wiggle = sin(Double(i) * 0.7 + Double(j) * 1.3) * 0.9
                return ((centre + wiggle) * 1000).rounded() / 1000
            })
            ys.append(classes[k])
        }
        self.features = xs
        self.labels = ys
    }

    var count: Int { labels.count }
    /// The distinct labels, sorted as text (how the tool orders non-numeric classes).
    var classes: [String] { Array(Set(labels)).sorted() }

    /// The table as CSV with the given columns (feature names and/or the label name, in any
    /// order; an unknown name makes a column of 1s).
    func csv(columns: [String]? = nil) -> String {
        let cols = columns ?? (featureNames + [labelName])
        var out = cols.joined(separator: ",") + "\n"
        for r in 0..<count {
            out += cols.map { c -> String in
                if c == labelName { return labels[r] }
                if let j = featureNames.firstIndex(of: c) { return String(features[r][j]) }
                return "1"
            }.joined(separator: ",") + "\n"
        }
        return out
    }
}

/// Configs for tiny runs.
enum Configs {
    /// A config that trains on `train` for a fixed number of epochs (`tol` null), quickly.
    static func basic(train: String = "train.csv", epochs: Int = 3, testFraction: Double = 0, batchSize: Int = 16,
                      seed: Int = 0, workers: Int? = nil, outputDir: String? = nil, modelType: String? = nil) -> [String: Any] {
        var c: [String: Any] = [
            "data": ["train": train, "test_fraction": testFraction] as [String: Any],
            "training": [
                "epochs": epochs, "tol": NSNull(), "batch_size": batchSize, "learning_rate": "constant",
                "eta0": 0.1, "seed": seed,
            ] as [String: Any],
        ]
        if let workers { c["workers"] = workers }
        if let outputDir { c["output"] = ["dir": outputDir] }
        if let modelType { c["model"] = ["type": modelType] }
        return c
    }
}

/// Trains a small model in `sandbox` and returns the model's path relative to the sandbox.
@discardableResult
func trainSmallModel(in sandbox: Sandbox, table: DataTable = DataTable(), csvName: String = "train.csv",
                     epochs: Int = 5, out: String = "model-out", sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    try sandbox.write(table.csv(), to: csvName)
    try sandbox.writeJSON(Configs.basic(train: csvName, epochs: epochs), to: "train-config.json")
    let r = try sandbox.run(["train", "--config", "train-config.json", "--out", out, "--quiet"], sourceLocation: sourceLocation)
    try #require(r.exitCode == 0, "training the fixture model failed: \(r)", sourceLocation: sourceLocation)
    return out + "/model.json"
}

// MARK: - Reading output independently of the library

enum JSONRead {
    /// Parses `text` as one JSON object with Foundation's strict parser.
    static func object(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let any = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
        return try #require(any as? [String: Any], "not a JSON object: \(text)", sourceLocation: sourceLocation)
    }

    static func number(_ v: Any?) -> Double? {
        switch v {
        case let d as Double: return d
        case let i as Int: return Double(i)
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }

    static func int(_ v: Any?) -> Int? { number(v).flatMap { Int(exactly: $0) } }
    static func isNull(_ v: Any?) -> Bool { v is NSNull }
    static func strings(_ v: Any?) -> [String]? { v as? [String] }

    static func doubles(_ v: Any?) -> [Double]? {
        guard let items = v as? [Any] else { return nil }
        let out = items.compactMap { number($0) }
        return out.count == items.count ? out : nil
    }

    static func matrix(_ v: Any?) -> [[Double]]? {
        guard let rows = v as? [Any] else { return nil }
        let out = rows.compactMap { doubles($0) }
        return out.count == rows.count ? out : nil
    }
}

/// Splits simple CSV output (no quoted fields) into rows of fields.
func csvRows(_ text: String) -> [[String]] {
    CLI.lines(text).map { $0.components(separatedBy: ",") }
}

/// Checks the shape every input-error report must have: exit 2, exactly one non-empty
/// stderr line starting "minibatch: " and containing each of `fragments`.
func expectOneLineError(_ r: CLIResult, exitCode: Int32 = 2, mentioning fragments: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.exitCode == exitCode, "\(r)", sourceLocation: sourceLocation)
    #expect(r.stderrLines.count == 1, "expected exactly one stderr line: \(r)", sourceLocation: sourceLocation)
    let line = r.stderrLines.first ?? ""
    #expect(line.hasPrefix("minibatch: ") && line.count > "minibatch: ".count, "\(r)", sourceLocation: sourceLocation)
    for f in fragments {
        #expect(line.contains(f), "stderr should mention '\(f)': \(line)", sourceLocation: sourceLocation)
    }
}
