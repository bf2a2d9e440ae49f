import DataParallel
import Foundation
import Learning

/// `minibatch predict`: labels or probabilities as CSV on stdout.
enum PredictCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "predict", valued: ["--model", "--data", "--format", "--keep"], boolean: ["--proba"])
        let format = try a.format(command: "predict")
        let saved = try SavedModel.read(path: try a.required("--model", command: "predict"))
        let path = try a.required("--data", command: "predict")
        let keep = try keptColumns(a, path: path, format: format)
        let (data, _) = try LoadingLine().around { try saved.loadInput(path: path, format: format) }
        let scores = try saved.scoreChecked(data, pool: try WorkerPool(workers: 0), file: path)
        let k = saved.classes.count
        let proba = a.flag("--proba")
        // The kept columns, the prediction (named as the model's label column), and with
        // --proba one probability per class.
        var header = keep.map { csvField($0.name) } + [csvField(saved.label)]
        if proba { header += saved.classes.map { csvField("p_" + $0) } }
        var out = header.joined(separator: ",") + "\n"
        for i in 0..<data.count {
            var fields = keep.map { csvField($0.cells[i]) } + [csvField(saved.classes[Int(scores.predicted[i])])]
            if proba { fields += (0..<k).map { "\(scores.probabilities[i * k + $0])" } }
            out += fields.joined(separator: ",") + "\n"
        }
        try Console.outRaw(out)
        return 0
    }

    /// The columns `--keep COL[,COL]` copies from the CSV input into the output, with their cells.
    static func keptColumns(_ a: Arguments, path: String, format: DataFormat) throws -> [(name: String, cells: [String])] {
        guard let list = a.string("--keep") else { return [] }
        guard format.resolved(for: path) == .csv else {
            throw UsageError("--keep copies columns of a CSV file; '\(path)' is \(format.resolved(for: path).rawValue)")
        }
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let table = try TextTable.read(path: path)
        return try names.map { name in
            guard let cells = table.column(name) else {
                throw UsageError("--keep: no column '\(name)' in \(path) (columns: \(table.names.prefix(8).joined(separator: ", ")))")
            }
            return (name, cells)
        }
    }

    /// Quotes a field that holds a comma, a quote or a line break.
    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
