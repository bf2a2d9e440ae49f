import DataParallel
import Foundation
import Learning

/// `minibatch predict`: labels or probabilities as CSV on stdout.
enum PredictCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "predict", valued: ["--model", "--data", "--format"], boolean: ["--proba"])
        let format = try a.format(command: "predict")
        let saved = try SavedModel.read(path: try a.required("--model", command: "predict"))
        let dataPath = try a.required("--data", command: "predict")
        let (data, _) = try LoadingLine().around { try saved.loadInput(path: dataPath, format: format) }
        let scores = saved.score(data, pool: try WorkerPool(workers: 0))
        let k = saved.classes.count
        var out = ""
        if a.flag("--proba") {
            out += saved.classes.map { csvField("p_" + $0) }.joined(separator: ",") + "\n"
            for i in 0..<data.count {
                out += (0..<k).map { "\(scores.probabilities[i * k + $0])" }.joined(separator: ",") + "\n"
            }
        } else {
            out += "label\n"
            for i in 0..<data.count { out += csvField(saved.classes[Int(scores.predicted[i])]) + "\n" }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        return 0
    }

    /// Quotes a field that holds a comma, a quote or a line break.
    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
