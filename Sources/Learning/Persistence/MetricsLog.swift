/// DIR/metrics.jsonl: one JSON object per epoch; with a run id (``RunOutput``), each line
/// also holds it as "run_id".
public enum MetricsLog {
    public static func line(_ r: EpochReport, runID: String? = nil) -> String {
        guard let runID, case .object(let members) = r.jsonValue else { return r.jsonValue.jsonText }
        return JSONValue.object(members + [("run_id", .string(runID))]).jsonText
    }

    public static func text(_ reports: [EpochReport], runID: String? = nil) -> String {
        reports.map { line($0, runID: runID) + "\n" }.joined()
    }
}

extension MetricsLog {
    /// Checks that every line of a metrics.jsonl text holds the run id `expected` (model.json's
    /// `training.run_id`; nil for files written before run ids, whose lines hold none).
    /// - Throws: a data error at the first line of another run, saying that the folder mixes
    ///   two runs' files.
    static func checkRunID(_ bytes: [UInt8], expected: String?, file: String, modelFile: String) throws(LearningError) {
        for (lineNumber, line) in EpochMetrics.nonBlankLines(bytes) {
            var found: String? = nil
            if let json = try? JSONParser.parse(line), case .string(let id)? = json["run_id"] { found = id }
            if found != expected {
                throw .data(file: file, line: lineNumber,
                            message: "from another run than \(modelFile) (run id \(found ?? "none") here, "
                                + "\(expected ?? "none") there): the folder mixes two runs' files; train again to replace them")
            }
        }
    }
}
