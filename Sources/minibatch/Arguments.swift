import DataParallel
import Learning

/// A command-line mistake: exit code 2 with one line.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The flags and values after a subcommand's name.
struct Arguments {
    private var values: [String: String] = [:]
    private var switches: Set<String> = []

    /// Parses `args` against the allowed flags: `valued` take a value (`--x V` or `--x=V`),
    /// `boolean` take none. Anything else is a usage error. A flag given twice takes its
    /// last value (so that a wrapper can override a flag by appending it; documented in
    /// docs/commands.md).
    init(_ args: [String], command: String, valued: [String], boolean: [String]) throws(UsageError) {
        var i = 0
        while i < args.count {
            var arg = args[i]
            var inline: String? = nil
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                inline = String(arg[arg.index(after: eq)...])
                arg = String(arg[..<eq])
            }
            if valued.contains(arg) {
                if let inline {
                    values[arg] = inline
                } else {
                    guard i + 1 < args.count else { throw UsageError("\(arg) needs a value (see 'minibatch help \(command)')") }
                    values[arg] = args[i + 1]
                    i += 1
                }
            } else if boolean.contains(arg) && inline == nil {
                switches.insert(arg)
            } else if arg.hasPrefix("-") {
                let hint = Spelling.suggestion(for: arg, among: valued + boolean).map { "; did you mean '\($0)'?" } ?? ""
                throw UsageError("unknown option '\(args[i])' for '\(command)'\(hint) (see 'minibatch help \(command)')")
            } else {
                throw UsageError("unexpected argument '\(arg)' for '\(command)' (see 'minibatch help \(command)')")
            }
            i += 1
        }
    }

    func string(_ flag: String) -> String? { values[flag] }

    func required(_ flag: String, command: String) throws(UsageError) -> String {
        guard let v = values[flag] else { throw UsageError("'\(command)' needs \(flag) (see 'minibatch help \(command)')") }
        return v
    }

    /// An integer flag within `range`.
    func integer(_ flag: String, in range: ClosedRange<Int>, meaning: String) throws(UsageError) -> Int? {
        guard let text = values[flag] else { return nil }
        guard let v = Int(text) else { throw UsageError("\(flag) \(text) is not an integer; \(meaning)") }
        guard range.contains(v) else { throw UsageError("\(flag) \(text) is out of range; \(meaning)") }
        return v
    }

    func flag(_ name: String) -> Bool { switches.contains(name) }

    /// `--format csv|npy|libsvm|auto` of the data file (default auto: by its extension).
    func format(command: String) throws(UsageError) -> DataFormat {
        guard let text = values["--format"] else { return .auto }
        guard let f = DataFormat(rawValue: text.lowercased()) else {
            throw UsageError("--format \(text) is not known; use csv, npy, libsvm or auto (see 'minibatch help \(command)')")
        }
        return f
    }

    /// `--workers N`, the same for every command: 0 means one worker per active core, 1 to
    /// ``WorkerPool/maxWorkers`` that many threads (more than the cores is allowed: results do
    /// not depend on it); a negative or larger count is an error, not clamped.
    func workers() throws(UsageError) -> Int? {
        try integer("--workers", in: 0...WorkerPool.maxWorkers,
                    meaning: "use 0 for one per active core or 1 to \(WorkerPool.maxWorkers); other counts are rejected, not clamped")
    }
}
