/// One config a search tries: the base config with some keys set to other values.
public struct Candidate: Sendable, Equatable {
    /// Its position among the search's candidates, from 0.
    public var index: Int
    /// The varied keys and their values, in the grid file's order.
    public var settings: [(path: String, value: JSONValue)]
    public var config: Config

    public init(index: Int, settings: [(path: String, value: JSONValue)], config: Config) {
        self.index = index
        self.settings = settings
        self.config = config
    }

    public static func == (a: Candidate, b: Candidate) -> Bool {
        a.index == b.index && a.config == b.config && a.settings.count == b.settings.count
            && zip(a.settings, b.settings).allSatisfy { $0.path == $1.path && $0.value == $1.value }
    }

    /// "training.alpha=0.001 training.eta0=0.1".
    public var label: String { settings.map { "\($0.path)=\($0.value.jsonText)" }.joined(separator: " ") }

    /// The settings as one JSON object of path: value.
    public var settingsJSON: JSONValue { .object(settings.map { ($0.path, $0.value) }) }

    /// The base config with `settings` applied: each path is set in the config's JSON
    /// (``Config/jsonValue``) and the result is decoded and validated again, so a candidate
    /// gets every check a config file gets. A base config built in code for rows in memory
    /// (no `data.train`, no `data.synthetic`) is checked as if it named a training file.
    /// - Throws: a config error naming the grid file and the key, with the candidate's
    ///   settings when the key is not one of them (a conflict between keys).
    public init(index: Int, settings: [(path: String, value: JSONValue)], base: Config, gridFile: String)
        throws(LearningError)
    {
        var json = base.jsonValue
        let inMemory = base.data.train == nil && base.data.synthetic == nil
        if inMemory { json = json.setting(["data", "train"], to: .string("<in memory>")) }
        for (path, value) in settings {
            json = json.setting(path.split(separator: ".").map(String.init)[...], to: value)
        }
        var config: Config
        do {
            config = try Config.decode(json, file: gridFile)
        } catch {
            guard case .config(let file, let key, let message) = error, !settings.contains(where: { $0.path == key }) else {
                throw error
            }
            let which = settings.map { "\($0.path)=\($0.value.jsonText)" }.joined(separator: ", ")
            throw .config(file: file, key: key, message: message + " (with \(which))")
        }
        config.file = base.file
        if inMemory { config.data.train = nil }
        self.init(index: index, settings: settings, config: config)
    }

}

extension SearchSpace {
    /// Every candidate of the search, built and validated before anything trains.
    /// - Throws: the first candidate's config error (see ``Candidate/init(index:settings:base:gridFile:)``).
    public func candidates(base: Config) throws(LearningError) -> [Candidate] {
        var out: [Candidate] = []
        for (i, s) in settings().enumerated() {
            out.append(try Candidate(index: i, settings: s, base: base, gridFile: file))
        }
        return out
    }
}
