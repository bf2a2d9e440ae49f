import Foundation
import Testing

/// CSV as other tools write it, and bad input to the commands besides `train`.
@Suite("input files")
struct InputFileTests {
    /// `table` as CSV: `quoteAll` puts every header name and cell in double quotes (labels
    /// holding a comma or a quote are quoted either way, with "" for a quote).
    static func csv(_ table: DataTable, bom: Bool = false, lineEnd: String = "\n", quoteAll: Bool = false,
                    trailingBlankLine: Bool = false) -> String {
        func field(_ s: String) -> String {
            quoteAll || s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [(table.featureNames + [table.labelName]).map(field).joined(separator: ",")]
        for r in 0..<table.count {
            lines.append((table.features[r].map { field(String($0)) } + [field(table.labels[r])]).joined(separator: ","))
        }
        return (bom ? "\u{FEFF}" : "") + lines.joined(separator: lineEnd) + lineEnd + (trailingBlankLine ? lineEnd : "")
    }

    /// The model file's members that training determines, as JSON text.
    static func trained(_ box: Sandbox, _ path: String) throws -> [String] {
        let m = try JSONRead.object(try box.read(path))
        return try ["classes", "feature_names", "weights", "bias", "scaler"].map { key in
            let data = try JSONSerialization.data(withJSONObject: try #require(m[key]), options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Test("a byte-order mark, CRLF, quoted names, cells and labels, a trailing blank line: the same model as plain CSV")
    func csvDialectsTrainAlike() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 45, classes: ["red, dark", "say \"green\"", "blue"], features: 3)
        let variants: [(String, String)] = [
            ("plain.csv", Self.csv(table)),
            ("bom.csv", Self.csv(table, bom: true)),
            ("crlf.csv", Self.csv(table, lineEnd: "\r\n", trailingBlankLine: true)),
            ("quoted.csv", Self.csv(table, quoteAll: true)),
            ("all.csv", Self.csv(table, bom: true, lineEnd: "\r\n", quoteAll: true, trailingBlankLine: true)),
        ]
        var models: [[String]] = []
        for (name, text) in variants {
            try box.write(text, to: name)
            try box.writeJSON(Configs.basic(train: name, epochs: 3), to: "\(name).json")
            let r = try box.run(["train", "--config", "\(name).json", "--out", "out-\(name)", "--quiet"])
            #expect(r.exitCode == 0, "\(name): \(r)")
            models.append(try Self.trained(box, "out-\(name)/model.json"))
        }
        #expect(models[0][0].contains("red, dark") && models[0][0].contains(#"say \"green\""#), "\(models[0][0])")
        for (i, m) in models.enumerated().dropFirst() {
            #expect(m == models[0], "\(variants[i].0) trains another model than plain CSV")
        }
        // predict reads the quoted file the same way.
        let plain = try box.run(["predict", "--model", "out-plain.csv/model.json", "--data", "plain.csv", "--proba"])
        let quoted = try box.run(["predict", "--model", "out-plain.csv/model.json", "--data", "all.csv", "--proba"])
        #expect(plain.exitCode == 0 && quoted.exitCode == 0 && plain.stdout == quoted.stdout, "\(quoted)")
    }

    /// A version 1 `.npy` file of float32 values, shape (rows, columns).
    static func npy(_ values: [Float], rows: Int, columns: Int) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let n = header.utf8.count
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)])
        d.append(Data(header.utf8))
        values.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    @Test("predict and evaluate on a .npy array with another feature count than the model: exit 2, one line")
    func npyFeatureCountMismatch() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, table: DataTable(rows: 30, features: 3))
        for columns in [2, 4] {
            try Self.npy((0..<(5 * columns)).map { Float($0) }, rows: 5, columns: columns).write(to: box.url("x\(columns).npy"))
            for command in [["predict"], ["predict", "--proba"]] {
                let r = try box.run(command + ["--model", model, "--data", "x\(columns).npy"])
                expectOneLineError(r, mentioning: ["x\(columns).npy", "\(columns) feature columns", "expects 3"])
                #expect(r.stdout.isEmpty, "\(r)")
            }
        }
        // The right count is accepted (the check above is not a blanket rejection).
        try Self.npy((0..<15).map { Float($0) }, rows: 5, columns: 3).write(to: box.url("x3.npy"))
        let ok = try box.run(["predict", "--model", model, "--data", "x3.npy"])
        #expect(ok.exitCode == 0 && ok.stdoutLines.count == 6, "\(ok)")
    }

    @Test("corrupted model files: exit 2, one line naming the file, nothing on stdout", arguments: [
        "binary", "version 1e300", "weight beyond float32", "NaN weight", "negative scale", "classes not strings",
    ])
    func corruptedModel(_ kind: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        let text = try box.read(model)
        var m = try JSONRead.object(text)
        switch kind {
        case "binary":
            var rng = UInt64(12345)
            let bytes = (0..<4000).map { _ -> UInt8 in
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: rng >> 56)
            }
            try Data(bytes).write(to: box.url("bad.json"))
        case "version 1e300":
            try box.write(text.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 1e300,"), to: "bad.json")
        case "weight beyond float32":
            let bias = try #require(JSONRead.doubles(m["bias"]))
            m["bias"] = [1e39] + bias.dropFirst()
            try box.writeJSON(m, to: "bad.json")
        case "NaN weight":
            try box.write(text.replacingOccurrences(of: "\"bias\": [", with: "\"bias\": [NaN, "), to: "bad.json")
        case "negative scale":
            var scaler = try #require(m["scaler"] as? [String: Any])
            var scale = try #require(JSONRead.doubles(scaler["scale"]))
            scale[0] = -1
            scaler["scale"] = scale
            m["scaler"] = scaler
            try box.writeJSON(m, to: "bad.json")
        default:
            m["classes"] = [1, 2, 3]
            try box.writeJSON(m, to: "bad.json")
        }
        for command in [["evaluate"], ["predict"], ["predict", "--proba"]] {
            let r = try box.run(command + ["--model", "bad.json", "--data", "train.csv"])
            expectOneLineError(r, mentioning: ["bad.json"])
            #expect(r.stdout.isEmpty, "\(r)")
        }
        // Warm start from it is refused too, and writes nothing.
        let before = box.listing()
        let r = try box.run(["train", "--config", "train-config.json", "--init-model", "bad.json", "--out", "warm", "--quiet"])
        expectOneLineError(r, mentioning: ["bad.json"])
        #expect(box.listing() == before)
    }

    @Test("a data file that cannot be read (no permission): exit 2 naming it, nothing written",
          .enabled(if: getuid() != 0, "root reads every file"))
    func unreadableDataFile() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(BadInput.goodCSV, to: "data.csv")
        try box.write(BadInput.config(), to: "run.json")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: box.path("data.csv"))
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: box.path("data.csv")) }
        let before = box.listing()
        let r = try box.run(["train", "--config", "run.json"])
        expectOneLineError(r, mentioning: ["data.csv", "cannot read"])
        #expect(box.listing() == before)
    }

    @Test("bench --workers out of range: exit 2, one line saying it is rejected, not clamped",
          arguments: ["-1", "1025", "1000000", "99999999999999999999"])
    func benchWorkers(_ value: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["bench", "--samples", "100", "--features", "4", "--classes", "2", "--epochs", "2", "--workers", value])
        expectOneLineError(r, mentioning: ["--workers", value])
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(box.listing().isEmpty)
    }
}
