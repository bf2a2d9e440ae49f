import Foundation
import Testing

@Suite("minibatch export")
struct ExportCommandTests {
    /// The first bytes of an ONNX file: field 1 (ir_version) = 8, field 2 (producer_name) "minibatch".
    static let onnxStart: [UInt8] = [0x08, 0x08, 0x12, 0x09] + Array("minibatch".utf8)

    @Test("writes an ONNX file, the same one train --export-onnx writes beside model.json")
    func writesTheFile() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable().csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(), to: "c.json")
        let t = try box.run(["train", "--config", "c.json", "--out", "out", "--quiet", "--export-onnx"])
        #expect(t.exitCode == 0, "\(t)")
        #expect(t.stdout.contains("onnx: out/model.onnx"), "\(t)")
        let r = try box.run(["export", "--model", "out/model.json", "--format", "onnx", "--out", "m.onnx"])
        #expect(r.exitCode == 0 && r.stdoutLines == ["wrote m.onnx"], "\(r)")
        let exported = try Data(contentsOf: box.url("m.onnx"))
        #expect(Array(exported.prefix(Self.onnxStart.count)) == Self.onnxStart)
        let fromTrain = try Data(contentsOf: box.url("out/model.onnx"))
        #expect(exported == fromTrain)
        // --format defaults to onnx.
        let again = try box.run(["export", "--model", "out/model.json", "--out", "n.onnx"])
        #expect(again.exitCode == 0, "\(again)")
        let defaulted = try Data(contentsOf: box.url("n.onnx"))
        #expect(defaulted == exported)
    }

    @Test("bad flags, model files and output paths: one line naming the flag or file, exit 2, nothing written")
    func errors() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        try box.write("{\"format\": \"minibatch-model\"", to: "broken.json")
        try FileManager.default.createDirectory(at: box.url("folder"), withIntermediateDirectories: true)
        let before = box.listing()
        let cases: [([String], [String])] = [
            (["--model", model], ["'export' needs --out"]),
            (["--out", "m.onnx"], ["'export' needs --model"]),
            (["--model", model, "--out", "m.onnx", "--format", "pmml"], ["--format pmml", "onnx"]),
            (["--model", "missing.json", "--out", "m.onnx"], ["missing.json", "no such model file"]),
            (["--model", "broken.json", "--out", "m.onnx"], ["broken.json"]),
            (["--model", model, "--out", "nowhere/m.onnx"], ["--out nowhere/m.onnx", "folder nowhere does not exist"]),
            (["--model", model, "--out", "folder"], ["--out folder is a folder"]),
            (["--model", model, "--out", ""], ["--out needs a file name"]),
            (["--model", model, "--out", "m.onnx", "--proba"], ["unknown option '--proba'"]),
        ]
        for (args, fragments) in cases {
            let r = try box.run(["export"] + args)
            expectOneLineError(r, mentioning: fragments)
        }
        #expect(box.listing() == before)
    }

    @Test("train --export-onnx with one-hot and filled columns writes model.onnx beside model.json")
    func oneHotAndFilledColumnsExport() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 30).csv(), to: "train.csv")
        var categorical = Configs.basic()
        categorical["data"] = ["train": "train.csv", "test_fraction": 0, "categorical": ["f0"]] as [String: Any]
        try box.writeJSON(categorical, to: "cat.json")
        var filled = Configs.basic()
        filled["data"] = ["train": "train.csv", "test_fraction": 0, "missing": "mean"] as [String: Any]
        try box.writeJSON(filled, to: "fill.json")
        for (config, out) in [("cat.json", "c"), ("fill.json", "f")] {
            let r = try box.run(["train", "--config", config, "--export-onnx", "--out", out, "--quiet"])
            #expect(r.exitCode == 0 && box.exists(out + "/model.onnx") && box.exists(out + "/model.json"), "\(r)")
        }
        // The file export writes from model.json is the same.
        let r = try box.run(["export", "--model", "c/model.json", "--format", "onnx", "--out", "again.onnx"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(try box.read("again.onnx") == box.read("c/model.onnx"))
    }
}
