import Foundation

/// DIR/checkpoint: a training run frozen at a step boundary, from which
/// `minibatch train --resume DIR` continues and ends with the same model bits as a run that
/// was never interrupted.
///
/// Versioned JSON: `{"format": "minibatch-checkpoint", "version": 1, "config": {...},
/// "base_folder", "init_model", "data": {"rows", "features", "classes", "fingerprint"},
/// "state": {...}}`. The config is the resolved config of the run (its relative paths are
/// resolved against `base_folder`, the working folder of the run); `data` identifies the
/// training split, so resuming on changed data is an error; `state` is a ``TrainingState``.
public struct Checkpoint: Sendable {
    public var config: Config
    /// The warm-start model file of the run, if any.
    public var initModel: String?
    public var data: DataIdentity
    public var state: TrainingState
    /// The id of the run that wrote it (see ``RunOutput``); a resumed run keeps it. Nil in
    /// checkpoints written before run ids.
    public var runID: String? = nil

    public static let formatName = "minibatch-checkpoint"
    public static let formatVersion = 1
    /// The file name inside the run's folder.
    public static let fileName = "checkpoint"

    public init(config: Config, initModel: String?, data: DataIdentity, state: TrainingState) {
        self.config = config
        self.initModel = initModel
        self.data = data
        self.state = state
    }

    /// The path of the checkpoint in `folder`.
    public static func path(in folder: String) -> String { (folder as NSString).appendingPathComponent(fileName) }

    /// Writes the checkpoint atomically into `folder` (created if needed).
    public func write(folder: String) throws(LearningError) {
        let cwd = FileManager.default.currentDirectoryPath
        let json = JSONValue.object([
            ("format", .string(Self.formatName)),
            ("version", .number(Double(Self.formatVersion))),
            ("config", config.jsonValue),
            ("base_folder", .string(cwd)),
            ("init_model", initModel.map { .string(($0 as NSString).isAbsolutePath ? $0 : (cwd as NSString).appendingPathComponent($0)) } ?? .null),
            ("data", data.jsonValue),
            ("state", state.jsonValue),
        ] + (runID.map { [("run_id", JSONValue.string($0))] } ?? []))
        try AtomicFile.makeFolder(folder)
        try AtomicFile.write(json.jsonText + "\n", to: Self.path(in: folder))
    }

    /// Reads `folder`/checkpoint and checks its format, version and every member.
    public static func read(folder: String) throws(LearningError) -> Checkpoint {
        let path = Self.path(in: folder)
        func bad(_ message: String) -> LearningError { .modelFile(file: path, message: message) }
        try InputFile.checkKind(path, error: bad)
        guard let bytes = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw bad(exists ? "cannot read the checkpoint" : "no checkpoint here (train with --checkpoint-every N, or stop a run with Ctrl-C, to make one)")
        }
        let json: JSONValue
        do { json = try JSONParser.parse([UInt8](bytes)) } catch {
            throw bad("not a valid checkpoint: JSON error at line \(error.line), column \(error.column): \(error.message)")
        }
        guard case .string(let format)? = json["format"], format == formatName else {
            throw bad("not a checkpoint: \"format\" is not \"\(formatName)\"")
        }
        guard case .number(let version)? = json["version"], version == version.rounded(), version >= 1 else {
            throw bad("\"version\" is missing or not a positive integer")
        }
        if version > Double(formatVersion) {  // compared as doubles: Int(1e300) would trap
            throw bad("checkpoint format version \(JSONValue.number(version).jsonText) is newer than this minibatch reads (version \(formatVersion)); upgrade minibatch")
        }
        guard case .string(let base)? = json["base_folder"], let configJSON = json["config"] else {
            throw bad("\"config\" or \"base_folder\" is missing")
        }
        var config: Config
        do { config = try Config.decode(configJSON, file: path, baseFolder: base) } catch {
            throw bad("its config is not valid: \(error.description)")
        }
        config.outputDir = folder
        var initModel: String? = nil
        if let v = json["init_model"], v != .null {
            guard case .string(let s) = v else { throw bad("\"init_model\" must be a path or null") }
            initModel = s
        }
        guard let dataJSON = json["data"], let data = DataIdentity(json: dataJSON) else {
            throw bad("\"data\" is missing or malformed")
        }
        guard let stateJSON = json["state"] else { throw bad("\"state\" is missing") }
        let state = try TrainingState.decode(stateJSON, bad: bad)
        var checkpoint = Checkpoint(config: config, initModel: initModel, data: data, state: state)
        switch json["run_id"] {
        case nil, .null?: break
        case .string(let id)? where RunOutput.isRunID(id): checkpoint.runID = id
        case let v?: throw bad("\"run_id\" must be a run id (16 hexadecimal digits), found \(v.kindName == "string" ? "another string" : v.kindName)")
        }
        return checkpoint
    }
}

/// What identifies a training split: its shape, classes and a hash of every value.
public struct DataIdentity: Sendable, Equatable {
    public var rows: Int
    public var features: Int
    public var classes: [String]
    /// FNV-1a (64 bits) over the features' bits, the labels and the sample weights.
    public var fingerprint: UInt64

    public init(_ d: Dataset) {
        var h = FNV1a()
        for f in d.features { h.mix(f.bitPattern) }
        for y in d.labels { h.mix(UInt32(bitPattern: y)) }
        for w in d.weights ?? [] { h.mix(w.bitPattern) }
        self.init(rows: d.count, features: d.featureCount, classes: d.classes, fingerprint: h.value)
    }

    init(rows: Int, features: Int, classes: [String], fingerprint: UInt64) {
        self.rows = rows
        self.features = features
        self.classes = classes
        self.fingerprint = fingerprint
    }

    var jsonValue: JSONValue {
        .object([
            ("rows", .number(Double(rows))), ("features", .number(Double(features))),
            ("classes", .array(classes.map { .string($0) })),
            ("fingerprint", .string(String(fingerprint, radix: 16))),
        ])
    }

    init?(json: JSONValue) {
        guard case .number(let r)? = json["rows"], case .number(let f)? = json["features"],
              case .array(let cs)? = json["classes"], case .string(let hex)? = json["fingerprint"],
              let h = UInt64(hex, radix: 16), r >= 0, f >= 0, r < 1e15, f < 1e15
        else { return nil }
        var names: [String] = []
        for c in cs {
            guard case .string(let s) = c else { return nil }
            names.append(s)
        }
        rows = Int(r)
        features = Int(f)
        classes = names
        fingerprint = h
    }
}

/// FNV-1a, 64 bits, over 32-bit words: the data fingerprint of a checkpoint.
struct FNV1a {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func mix(_ v: UInt32) { value = (value ^ UInt64(v)) &* 0x0000_0100_0000_01B3 }
}
