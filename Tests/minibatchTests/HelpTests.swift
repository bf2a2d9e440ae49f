import Foundation
import Learning
import Testing

@Suite("help and usage errors")
struct HelpTests {
    static let trainFlags = ["--config", "--workers", "--epochs", "--seed", "--out", "--json", "--quiet", "--export-onnx"]

    @Test("minibatch --help and -h: exit 0, the overview on stdout naming every command")
    func overview() throws {
        let box = try Sandbox()
        defer { box.remove() }
        for flag in ["--help", "-h"] {
            let r = try box.run([flag])
            #expect(r.exitCode == 0, "\(r)")
            #expect(r.stderr.isEmpty)
            for command in ["train", "evaluate", "predict", "export", "search", "cv", "help"] {
                #expect(r.stdout.contains(command), "\(flag) does not mention \(command)")
            }
            #expect(r.stdout.contains("Usage: minibatch COMMAND"))
        }
        let plain = try box.run(["help"])
        #expect(plain.exitCode == 0, "\(plain)")
        #expect(plain.stdout == (try box.run(["--help"])).stdout)
    }

    @Test("minibatch --version: exit 0, 'minibatch X.Y.Z' from the one version constant")
    func version() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["--version"])
        #expect(r.exitCode == 0 && r.stderr.isEmpty, "\(r)")
        #expect(r.stdoutLines == ["minibatch \(MinibatchVersion.current)"])
        let parts = MinibatchVersion.current.split(separator: ".")
        #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil }, "not a semantic version")
    }

    @Test("minibatch help train and minibatch train --help: exit 0, the same text, every flag")
    func trainHelp() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let a = try box.run(["help", "train"])
        let b = try box.run(["train", "--help"])
        let c = try box.run(["train", "-h"])
        for r in [a, b, c] {
            #expect(r.exitCode == 0, "\(r)")
            #expect(r.stderr.isEmpty, "\(r)")
            // Each flag is in the usage line and described on a line of its own.
            for flag in Self.trainFlags { #expect(occurrences(of: flag, in: r.stdout) >= 2, "train help lacks \(flag)") }
        }
        #expect(a.stdout == b.stdout)
        #expect(a.stdout == c.stdout)
        // --help wins over other arguments, even ones that would be errors, and nothing is trained.
        let d = try box.run(["train", "--config", "nowhere.json", "--help"])
        #expect(d.exitCode == 0, "\(d)")
        #expect(d.stdout == a.stdout)
        #expect(box.listing().isEmpty)
    }

    @Test("help for evaluate, predict, search and cv mentions their flags", arguments: [
        ("evaluate", ["--model", "--data", "--json"]),
        ("predict", ["--model", "--data", "--proba"]),
        ("search", ["--config", "--grid", "--folds", "--workers", "--out", "--save-folds", "--json", "--quiet"]),
        ("cv", ["--config", "--folds", "--workers", "--save-folds", "--json", "--quiet"]),
    ] as [(String, [String])])
    func commandHelp(command: String, flags: [String]) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let a = try box.run(["help", command])
        let b = try box.run([command, "--help"])
        for r in [a, b] {
            #expect(r.exitCode == 0, "\(r)")
            for flag in flags { #expect(occurrences(of: flag, in: r.stdout) >= 2, "\(command) help lacks \(flag)") }
            #expect(r.stdout.contains("Usage: minibatch \(command)"))
        }
        #expect(a.stdout == b.stdout)
    }

    @Test("an unknown command: exit 2, one line naming it")
    func unknownCommand() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["fit", "--config", "x.json"])
        expectOneLineError(r, mentioning: ["'fit'"])
        #expect(r.stdout.isEmpty)
        let h = try box.run(["help", "fit"])
        expectOneLineError(h, mentioning: ["'fit'"])
    }

    @Test("a misspelled command, flag or help topic: exit 2, one line with the nearest name")
    func didYouMean() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let command = try box.run(["trian", "--config", "x.json"])
        expectOneLineError(command, mentioning: ["unknown command 'trian'; did you mean 'train'?"])
        let flag = try box.run(["train", "--epoch", "3", "--config", "x.json"])
        expectOneLineError(flag, mentioning: ["unknown option '--epoch' for 'train'; did you mean '--epochs'?"])
        let valued = try box.run(["predict", "--modle=m.json"])
        expectOneLineError(valued, mentioning: ["'--modle=m.json'", "did you mean '--model'?"])
        let topic = try box.run(["help", "exprot"])
        expectOneLineError(topic, mentioning: ["no help for 'exprot'; did you mean 'export'?"])
        // Nothing near: the list of commands instead.
        let far = try box.run(["fit"])
        expectOneLineError(far, mentioning: ["unknown command 'fit'; commands: train, evaluate, predict, export"])
        #expect(!far.stderr.contains("did you mean"))
    }

    @Test("an unknown option: exit 2, one line naming it", arguments: ["train", "evaluate", "predict"])
    func unknownOption(command: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run([command, "--bogus", "1"])
        expectOneLineError(r, mentioning: ["'--bogus'", command])
        #expect(r.stdout.isEmpty)
        // A boolean flag given a value is an unknown option too.
        if command == "train" {
            let q = try box.run(["train", "--quiet=yes", "--config", "x.json"])
            expectOneLineError(q, mentioning: ["--quiet=yes"])
        }
        // A stray positional argument.
        let p = try box.run([command, "stray"])
        expectOneLineError(p, mentioning: ["'stray'"])
        #expect(box.listing().isEmpty)
    }

    @Test("no arguments: exit 2 with the overview on stderr, nothing on stdout")
    func noArguments() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run([])
        #expect(r.exitCode == 2, "\(r)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("Usage: minibatch COMMAND"))
    }

    @Test("train without --config, or a flag without its value: exit 2, one line")
    func missingValues() throws {
        let box = try Sandbox()
        defer { box.remove() }
        expectOneLineError(try box.run(["train"]), mentioning: ["--config"])
        expectOneLineError(try box.run(["train", "--config"]), mentioning: ["--config", "needs a value"])
        expectOneLineError(try box.run(["train", "--config", "c.json", "--workers"]), mentioning: ["--workers"])
        #expect(box.listing().isEmpty)
    }

    @Test("bad flag values: exit 2, one line naming the flag", arguments: [
        ["--workers", "abc"], ["--workers", "2000"], ["--epochs", "0"], ["--epochs", "-3"], ["--seed", "-1"],
        ["--seed", "x"], ["--out", ""],
    ])
    func badFlagValues(flag: [String]) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 30).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 1), to: "run.json")
        let before = box.listing()
        let r = try box.run(["train", "--config", "run.json"] + flag)
        expectOneLineError(r, mentioning: [flag[0]])
        #expect(box.listing() == before, "a rejected run wrote files")
    }

    /// How often `flag` appears in `text` as a whole word ("--out" not inside "--output").
    private func occurrences(of flag: String, in text: String) -> Int {
        let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "[]=,.;:'()"))
        return text.components(separatedBy: separators).filter { $0 == flag }.count
    }
}
