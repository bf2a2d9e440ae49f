import DataParallel
import Foundation
import Learning

/// `minibatch predict`: labels or probabilities as CSV on stdout. Every row is scored (on
/// `--workers` threads, default one per active core) and checked before the first byte is
/// written, so an error about any row leaves stdout empty; the lines are then formatted in
/// parallel chunks and written chunk by chunk in input order (``PredictionText``).
enum PredictCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "predict", valued: ["--model", "--data", "--format", "--keep", "--workers"],
                              boolean: ["--proba"])
        let pool = try WorkerPool(workers: try a.workers() ?? 0)
        let format = try a.format(command: "predict")
        let saved = try SavedModel.read(path: try a.required("--model", command: "predict"))
        let path = try a.required("--data", command: "predict")
        let keep = try keptColumns(a, path: path, format: format)
        let (data, _) = try LoadingLine().around { try saved.loadInput(path: path, format: format) }
        let scores = try saved.scoreChecked(data, pool: pool, file: path)
        // The kept columns, the prediction (named as the model's label column), and with
        // --proba one probability per class.
        let text = PredictionText(kept: keep, labelName: saved.label, classes: saved.classes, scores: scores,
                                  probabilities: a.flag("--proba"))
        try text.write(pool: pool) { (bytes) throws(LearningError) in try Console.outBytes(bytes) }
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
}
