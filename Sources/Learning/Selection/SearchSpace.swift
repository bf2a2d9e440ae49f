import Foundation

/// What a search tries: the config keys it varies and their values, read from a grid file.
///
/// A grid file is either an object of config paths to lists (a grid search tries every
/// combination):
///
///     {"training.alpha": [1e-5, 1e-4, 1e-3], "model.hidden": [[64], [128]]}
///
/// or an object with `params`, whose values may also be distributions, and `n_candidates`
/// (random search draws that many candidates with `seed`; with only lists it draws without
/// repeating a combination):
///
///     {"n_candidates": 20, "seed": 0, "params": {"training.alpha": {"loguniform": [1e-6, 1e-2]}}}
///
/// Only `model.*`, `training.*` and `data.standardize` can vary: the data is read once.
public struct SearchSpace: Sendable, Equatable {
    /// The varied config paths and their domains, in the file's order.
    public var parameters: [(path: String, domain: SearchDomain)]
    public var sampling: Sampling
    /// The grid file, named in errors.
    public var file: String

    public enum Sampling: Sendable, Equatable {
        /// Every combination of the lists; the last path varies fastest.
        case grid
        /// `count` candidates drawn with `seed`.
        case random(count: Int, seed: UInt64)
    }

    public init(parameters: [(path: String, domain: SearchDomain)], sampling: Sampling = .grid, file: String = "<grid>") {
        self.parameters = parameters
        self.sampling = sampling
        self.file = file
    }

    public static func == (a: SearchSpace, b: SearchSpace) -> Bool {
        a.sampling == b.sampling && a.file == b.file && a.parameters.count == b.parameters.count
            && zip(a.parameters, b.parameters).allSatisfy { $0.path == $1.path && $0.domain == $1.domain }
    }

    /// The most candidates a search may have.
    public static let maxCandidates = 100_000
    /// The sections whose keys a search may vary; of `data`, only `data.standardize`.
    static let searchable = ["model.", "training."]

    /// Reads a grid file.
    public static func load(path: String) throws(LearningError) -> SearchSpace {
        try InputFile.checkKind(path) { .data(file: path, line: nil, message: $0) }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw .data(file: path, line: nil, message: FileManager.default.fileExists(atPath: path)
                ? "cannot read the grid file" : "no such grid file")
        }
        let json: JSONValue
        do { json = try JSONParser.parse([UInt8](bytes)) } catch {
            throw .configSyntax(file: path, line: error.line, column: error.column, message: error.message)
        }
        return try decode(json, file: path)
    }

    /// Reads a parsed grid file; a wrong shape, path or distribution is an error naming it.
    public static func decode(_ json: JSONValue, file: String) throws(LearningError) -> SearchSpace {
        let r = ConfigReader(file: file)
        guard case .object(let top) = json, !top.isEmpty else {
            throw r.fail("", "expected an object of config paths to lists of values, or one with \"params\"")
        }
        guard top.contains(where: { $0.key == "params" }) else { return try grid(try parameters(json, r), file: file) }
        let keys = try r.object(json, path: "", allowed: ["params", "n_candidates", "seed", "strategy"])
        let params = try parameters(keys["params"]!, r, prefix: "params")
        let strategy = try keys["strategy"].map { v throws(LearningError) in try r.string(v, "strategy") }
            ?? (keys["n_candidates"] == nil ? "grid" : "random")
        switch strategy {
        case "grid":
            for key in ["n_candidates", "seed"] where keys[key] != nil {
                throw r.fail(key, "only for \"strategy\": \"random\"")
            }
            return try grid(params, file: file)
        case "random":
            guard let n = keys["n_candidates"] else { throw r.fail("n_candidates", "random search needs the number of candidates") }
            let count = try r.integer(n, "n_candidates", 1...maxCandidates)
            let seed = try keys["seed"].map { v throws(LearningError) in UInt64(try r.integer(v, "seed", ConfigLimits.seed)) } ?? 0
            return SearchSpace(parameters: params, sampling: .random(count: count, seed: seed), file: file)
        default:
            throw r.fail("strategy", "\(JSONValue.string(strategy).jsonText) is not allowed; allowed: \"grid\", \"random\"")
        }
    }

    /// A grid of lists, of at most ``maxCandidates`` combinations.
    private static func grid(_ params: [(path: String, domain: SearchDomain)], file: String) throws(LearningError) -> SearchSpace {
        let r = ConfigReader(file: file)
        if let p = params.first(where: { !$0.domain.isList }) {
            throw r.fail(p.path, "a distribution needs random search: use {\"n_candidates\": N, \"params\": {...}}")
        }
        let space = SearchSpace(parameters: params, file: file)
        if space.gridSize > Double(maxCandidates) {
            throw r.fail("", "the grid has \(Int(space.gridSize)) combinations, more than \(maxCandidates); "
                + "use random search (\"n_candidates\")")
        }
        return space
    }

    private static func parameters(_ v: JSONValue, _ r: ConfigReader, prefix: String = "")
        throws(LearningError) -> [(path: String, domain: SearchDomain)]
    {
        guard case .object(let members) = v, !members.isEmpty else {
            throw r.fail(prefix, "expected an object of config paths (\"training.alpha\") to lists of values or distributions")
        }
        var out: [(path: String, domain: SearchDomain)] = []
        for (path, value) in members {
            try checkPath(path, r)
            out.append((path, try SearchDomain.decode(value, key: path, r)))
        }
        return out
    }

    /// A path must name a key of a section a search can vary.
    private static func checkPath(_ path: String, _ r: ConfigReader) throws(LearningError) {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count < 2 || parts.contains(where: \.isEmpty) {
            throw r.fail(path, "not a config path; write section.key, for example \"training.alpha\"")
        }
        if path == "data.standardize" || searchable.contains(where: { path.hasPrefix($0) }) { return }
        if path.hasPrefix("data.") {
            throw r.fail(path, "cannot vary: the search reads the data once (of \"data\", only data.standardize can vary)")
        }
        if ["workers", "output"].contains(parts[0]) {
            throw r.fail(path, "cannot vary: the search decides the workers (--workers) and the output folder (--out)")
        }
        throw r.fail(path, "unknown section \"\(parts[0])\"; a search varies keys of \"model\" and \"training\", "
            + "and data.standardize")
    }

    /// The number of combinations of the lists.
    var gridSize: Double {
        parameters.reduce(1.0) { n, p in
            if case .values(let v) = p.domain { return n * Double(v.count) }
            return n
        }
    }

    /// The candidates' settings, in order: one list of (path, value) per candidate.
    public func settings() -> [[(path: String, value: JSONValue)]] {
        switch sampling {
        case .grid:
            return gridSettings()
        case .random(let count, let seed):
            var rng = SplitMix64(seed: seed ^ 0x5EA2_C4ED_5EA2_C4ED)
            if parameters.allSatisfy(\.domain.isList) {
                // Without repeating a combination: a seeded shuffle of the grid, cut to `count`.
                var all = gridSettings()
                rng.shuffle(&all)
                return Array(all.prefix(count))
            }
            return (0..<count).map { _ in parameters.map { ($0.path, $0.domain.draw(&rng)) } }
        }
    }

    /// Every combination of the lists, the last path varying fastest.
    private func gridSettings() -> [[(path: String, value: JSONValue)]] {
        var out: [[(path: String, value: JSONValue)]] = [[]]
        for p in parameters {
            guard case .values(let values) = p.domain else { continue }
            out = out.flatMap { head in values.map { head + [(p.path, $0)] } }
        }
        return out
    }
}
