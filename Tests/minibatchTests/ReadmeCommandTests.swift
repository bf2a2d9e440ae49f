import Foundation
import Testing

/// Keeps the README's examples runnable: every `minibatch` command in its shell blocks runs,
/// in order, on a copy of `configs/` and `data/` (with fewer epochs, folds and samples, so
/// that the suite stays quick), and its config example is the file it says it is.
@Suite("README commands")
struct ReadmeCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func readme() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// How the README may start a command: the installed name, the built binary, or swift run.
    static let prefixes = [["swift", "run", "-c", "release", "minibatch"], [".build/release/minibatch"], ["minibatch"]]

    /// The arguments of every command in the text's fenced blocks other than json, swift and
    /// python ones, in order; a `#` starts a comment.
    static func commands(in text: String) -> [[String]] {
        var out: [[String]] = []
        var inBlock = false, skipBlock = false
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if inBlock {
                    inBlock = false
                } else {
                    inBlock = true
                    let language = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                    skipBlock = ["json", "swift", "python"].contains(language)
                }
                continue
            }
            guard inBlock, !skipBlock else { continue }
            let code = line.components(separatedBy: " #").first ?? line
            let words = code.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            for prefix in prefixes where words.starts(with: prefix) {
                out.append(Array(words.dropFirst(prefix.count)))
                break
            }
        }
        return out
    }

    /// Flags appended for speed (a later flag overrides an earlier one).
    static func quicker(_ args: [String]) -> [String] {
        switch args.first {
        case "train": return args + ["--epochs", "3", "--quiet"]
        case "search": return args + ["--folds", "2", "--quiet"]
        case "cv": return args + ["--folds", "2", "--quiet"]
        case "bench": return args + ["--samples", "2000", "--epochs", "2", "--workers", "2"]
        default: return args
        }
    }

    @Test("the extraction takes commands from shell blocks only, without comments")
    func extraction() {
        let text = """
            minibatch train --config outside.json
            ```sh
            minibatch train --config a.json   # a comment
            .build/release/minibatch predict --model m.json --data d.csv --proba
            swift test
            ```
            ```json
            {"minibatch": 1}
            ```
            ```
            swift run -c release minibatch report runs/a
            ```
            """
        #expect(Self.commands(in: text) == [["train", "--config", "a.json"],
                                             ["predict", "--model", "m.json", "--data", "d.csv", "--proba"],
                                             ["report", "runs/a"]])
    }

    @Test("every minibatch command shown in the README runs and exits 0", .timeLimit(.minutes(10)))
    func everyCommandRuns() throws {
        let commands = Self.commands(in: try Self.readme())
        let shown = Set(commands.compactMap(\.first))
        for command in ["train", "evaluate", "predict", "export", "report", "search", "cv", "bench", "--version"] {
            #expect(shown.contains(command), "the README shows no '\(command)' command")
        }
        let box = try Sandbox()
        defer { box.remove() }
        for folder in ["configs", "data"] {
            try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent(folder), to: box.url(folder))
        }
        for args in commands {
            let r = try box.run(Self.quicker(args))
            #expect(r.exitCode == 0, "README command failed: \(r)")
        }
    }

    @Test("the README's config example is configs/iris.json")
    func configExample() throws {
        let text = try Self.readme()
        let start = try #require(text.range(of: "```json\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let shown = try JSONSerialization.jsonObject(with: Data(text[start.upperBound..<end.lowerBound].utf8)) as? NSDictionary
        let file = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.packageRoot.appendingPathComponent("configs/iris.json"))) as? NSDictionary
        #expect(shown != nil && shown == file)
        #expect(text.contains("`configs/iris.json` is a good start"))
    }
}
