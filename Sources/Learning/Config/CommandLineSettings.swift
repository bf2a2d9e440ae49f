import Foundation

/// The config settings `minibatch train` takes as flags (`--data`, `--test`, `--label`,
/// `--model`, `--hidden`), applied over a config file's keys before it is decoded, so that
/// the defaults that depend on the model (``TrainingOptions/defaults(for:optimizer:momentum:)``)
/// follow `--model` as they follow `model.type`. Flags win over the file. Paths given as flags
/// are relative to the current folder (a config file's own paths to its folder).
public struct CommandLineSettings: Sendable, Equatable {
    /// data.train
    public var train: String?
    /// data.test
    public var test: String?
    /// data.label
    public var label: String?
    /// model.type
    public var modelType: ModelType?
    /// model.hidden
    public var hidden: [Int]?
    public init() {}

    /// The name errors give a config made from flags alone.
    public static let fileName = "<command line>"

    /// The settings as (key path, value) pairs, paths made absolute against `folder`.
    func entries(folder: String) -> [(path: [String], value: JSONValue)] {
        func absolute(_ p: String) -> String {
            p.hasPrefix("/") ? p : ((folder as NSString).appendingPathComponent(p) as NSString).standardizingPath
        }
        var out: [(path: [String], value: JSONValue)] = []
        if let train { out.append((["data", "train"], .string(absolute(train)))) }
        if let test { out.append((["data", "test"], .string(absolute(test)))) }
        if let label { out.append((["data", "label"], .string(label))) }
        if let modelType { out.append((["model", "type"], .string(modelType.rawValue))) }
        if let hidden { out.append((["model", "hidden"], .array(hidden.map { .number(Double($0)) }))) }
        return out
    }
}

extension Config {
    /// Reads the config file at `path` (nil: none, every key at its default) with `settings`
    /// applied over its keys, and validates the result. Without a file the output folder
    /// defaults to runs/<training file name> and errors name "<command line>".
    public static func load(path: String?, settings: CommandLineSettings) throws(LearningError) -> Config {
        var json: JSONValue = .object([])
        if let path { json = try readJSON(path: path) }
        for (keys, value) in settings.entries(folder: FileManager.default.currentDirectoryPath) {
            json = json.setting(keys[...], to: value)
        }
        if path == nil, let train = settings.train, json["output"] == nil {
            let name = ((train as NSString).lastPathComponent as NSString).deletingPathExtension
            json = json.setting(["output", "dir"], to: .string("runs/" + (name.isEmpty ? "run" : name)))
        }
        return try decode(json, file: path ?? CommandLineSettings.fileName,
                          baseFolder: path.map { folderPart(of: $0) ?? "" } ?? "")
    }
}
