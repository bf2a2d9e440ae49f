import Foundation

/// DIR/search.jsonl: one JSON line per finished (candidate, fold) job, rewritten atomically
/// (``AtomicFile``) after each, so that an interrupted search keeps every job it finished and
/// a rerun of the same search skips them.
///
/// Each line carries a `key`, a hash of what decides the job's score: the candidate's whole
/// config (but `workers` and `output`), the number of folds, the fold, the folds' seed and the
/// training split's identity (rows, features, classes and a hash of every value). A line
/// whose key is not its job's in this search is an error: the file is another search's.
public struct SearchLog: Sendable {
    public static let fileName = "search.jsonl"
    public let path: String
    private var lines: [String] = []

    /// The log of `folder`, empty until ``read(for:)`` or ``append(_:of:)``.
    public init(folder: String) { path = (folder as NSString).appendingPathComponent(Self.fileName) }

    /// The key of job (candidate c, fold f) of `search`, 16 hex digits.
    public static func key<Rows>(_ search: ModelSearch<Rows>, candidate c: Int, fold f: Int) -> String {
        var config = search.candidates[c].config
        config.workers = 0
        config.outputDir = nil
        let identity = search.data.train.identity
        let text = [config.jsonValue.jsonText, "\(search.folds.count)", "\(f)", "\(search.folds.seed)",
                    "\(identity.rows)", "\(identity.features)", identity.classes.joined(separator: "\u{1F}"),
                    String(identity.fingerprint, radix: 16)].joined(separator: "\u{1E}")
        var h = FNV1a()
        for u in text.unicodeScalars { h.mix(u.value) }
        let hex = String(h.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// One line: the job, the candidate's settings, its scores (numbers as exact as JSON
    /// allows: a double's shortest round-trip text), time, epochs and key.
    static func line<Rows>(_ s: FoldScore, of search: ModelSearch<Rows>) -> JSONValue {
        .object([
            ("candidate", .number(Double(s.candidate))), ("fold", .number(Double(s.fold))),
            ("params", search.candidates[s.candidate].settingsJSON),
            ("accuracy", .numberOrNull(s.accuracy)), ("log_loss", .numberOrNull(s.logLoss)),
            ("seconds", .number(s.seconds)), ("epochs", .number(Double(s.epochs))),
            ("stop_reason", s.stopReason.map { .string($0.rawValue) } ?? .null),
            ("failure", s.failure.map { .string($0) } ?? .null),
            ("key", .string(key(search, candidate: s.candidate, fold: s.fold))),
        ])
    }

    /// Reads the log left by an earlier run of `search` (none: no scores).
    /// - Throws: a malformed line, or one of another search, naming the file and line.
    public mutating func read<Rows>(for search: ModelSearch<Rows>) throws(LearningError) -> [FoldScore] {
        let file = path
        try InputFile.checkKind(file) { .data(file: file, line: nil, message: $0) }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw .data(file: path, line: nil, message: "cannot read the search log")
            }
            return []
        }
        var scores: [FoldScore] = [], seen = Set<Int>(), kept: [String] = []
        let path = self.path
        for (i, text) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated() where !text.isEmpty {
            let bad = { (m: String) in LearningError.data(file: path, line: i + 1, message: m) }
            let json: JSONValue
            do { json = try JSONParser.parse(Array(text.utf8)) } catch { throw bad(error.message) }
            guard case .number(let c)? = json["candidate"], case .number(let f)? = json["fold"],
                  c >= 0, c < Double(search.candidates.count), f >= 0, f < Double(search.folds.count),
                  c == c.rounded(), f == f.rounded(), case .string(let key)? = json["key"]
            else { throw bad("not a line of this search (candidate, fold or key missing or out of range)") }
            let (ci, fi) = (Int(c), Int(f))
            guard key == Self.key(search, candidate: ci, fold: fi) else {
                throw bad("from another search: the config, grid, folds or data differ; "
                    + "remove \(Self.fileName) or use another --out")
            }
            guard seen.insert(ci * search.folds.count + fi).inserted else { throw bad("candidate \(ci) fold \(fi) twice") }
            func number(_ k: String) -> Double? { if case .number(let d)? = json[k] { return d }; return nil }
            guard let seconds = number("seconds"), let epochs = number("epochs") else {
                throw bad("\"seconds\" or \"epochs\" missing")
            }
            var stop: StopReason? = nil
            if case .string(let r)? = json["stop_reason"] { stop = StopReason(rawValue: r) }
            var failure: String? = nil
            if case .string(let m)? = json["failure"] { failure = m }
            let score = FoldScore(candidate: ci, fold: fi, accuracy: number("accuracy"), logLoss: number("log_loss"),
                                  seconds: seconds, epochs: Int(epochs), stopReason: stop, failure: failure)
            if !score.succeeded && failure == nil { throw bad("no \"accuracy\" and \"log_loss\", and no \"failure\"") }
            scores.append(score)
            kept.append(String(text))
        }
        lines = kept
        return scores
    }

    /// Adds a finished job's line and rewrites the file atomically.
    public mutating func append<Rows>(_ score: FoldScore, of search: ModelSearch<Rows>) throws(LearningError) {
        lines.append(Self.line(score, of: search).jsonText)
        try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: path)
    }
}
