import Foundation
import Learning

/// `minibatch export`: a model file in another format (ONNX).
enum ExportCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "export", valued: ["--model", "--format", "--out"], boolean: [])
        let format = a.string("--format") ?? "onnx"
        guard format.lowercased() == "onnx" else {
            throw UsageError("--format \(format) is not known; the one export format is onnx (see 'minibatch help export')")
        }
        let modelPath = try a.required("--model", command: "export")
        let out = try a.required("--out", command: "export")
        try checkOutputPath(out, flag: "--out")
        let saved = try SavedModel.read(path: modelPath)
        try saved.writeONNX(to: out, modelFile: modelPath)
        try Console.out("wrote \(out)")
        return 0
    }

    /// Fails, before any work, when `path` cannot be a file to write: empty, a folder, or in
    /// a folder that does not exist.
    static func checkOutputPath(_ path: String, flag: String) throws(UsageError) {
        guard !path.isEmpty else { throw UsageError("\(flag) needs a file name") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw UsageError("\(flag) \(path) is a folder; give the file to write, such as \(path)/model.onnx")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
                throw UsageError("\(flag) \(path): folder \(parent) does not exist")
            }
        }
    }
}
