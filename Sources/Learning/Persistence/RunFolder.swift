import Foundation

/// The folder a `minibatch train` run writes: model.json, metrics.jsonl, report.html, and a
/// checkpoint when asked.
enum RunFolder {
    /// The folder a run writes to.
    static func outputFolder(_ config: Config) -> String {
        if let dir = config.outputDir { return dir }
        let name = ((config.file as NSString).lastPathComponent as NSString).deletingPathExtension
        return "runs/" + (name.isEmpty ? "run" : name)
    }

    /// Checks before any work that the run's files can be written where they go: the output
    /// folder, or the nearest of its parents that exists, is a folder, and none of the files
    /// the run writes is a folder. Otherwise the mistake would surface only after training, as
    /// a write failure (exit 1) with some of the files already written.
    static func checkOutputFolder(_ config: Config) throws(LearningError) {
        let fm = FileManager.default
        let folder = outputFolder(config)
        func isFolder(_ path: String) -> Bool? {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &isDir) ? isDir.boolValue : nil
        }
        // Up to the nearest existing path.
        var existing = folder
        while isFolder(existing) == nil, let parent = folderPart(of: existing), parent != existing {
            existing = parent
        }
        if isFolder(existing) == false {
            let what = existing == folder ? "not a folder" : "so '\(folder)' cannot be a folder"
            throw .config(file: config.file, key: "output.dir",
                          message: "'\(existing)' is a file, \(what); output.dir (or --out) names the run's output folder")
        }
        for name in ["model.json", "metrics.jsonl", TrainingReport.fileName, Checkpoint.fileName] {
            let path = (folder as NSString).appendingPathComponent(name)
            if isFolder(path) == true {
                throw .config(file: config.file, key: "output.dir",
                              message: "'\(path)' is a folder; the run writes a file of that name in its output folder")
            }
        }
    }

    /// Commits a finished run's model.json (from `saved`, which has the model, classes, feature
    /// names, label, weight column and scaler; the run's record and run id are filled in here),
    /// metrics.jsonl and report.html into `output`'s folder, as one unit (``RunOutput/commit(_:)``).
    /// - Parameters:
    ///   - summary: the figures `minibatch train --json` prints, stored as model.json's metrics.
    ///   - classCounts: the splits' class counts (``Prepared/classCountsJSON``).
    static func write(_ result: FitResult, config: Config, summary: TrainingSummary, saved: SavedModel, output: RunOutput,
                      trainCount: Int, testCount: Int, classCounts: [(key: String, value: JSONValue)]) throws(LearningError) {
        var saved = recorded(saved, result: result, config: config, summary: summary, trainCount: trainCount,
                             testCount: testCount, classCounts: classCounts)
        if case .object(let members) = saved.training { saved.training = .object(members + [("run_id", .string(output.runID))]) }
        let metrics = MetricsLog.text(result.epochs, runID: output.runID)
        let modelText = saved.fileText
        let modelPath = (output.folder as NSString).appendingPathComponent("model.json")
        // The report is built from the same model and metrics the folder will hold (its
        // record: the model file's members but the weights, which it does not read).
        let report = TrainingReport(
            epochs: try EpochMetrics.parseLog(Array(metrics.utf8), file: "metrics.jsonl"),
            record: try RunRecord.decode(saved.jsonValueWithoutWeights, file: modelPath),
            name: TrainingReport.name(of: output.folder))
        try output.commit([
            ("metrics.jsonl", metrics),
            (TrainingReport.fileName, report.html()),
            ("model.json", modelText),
        ])
    }

    /// `saved` with the run's record filled in: the config, the summary as metrics, the
    /// training figures and the final evaluation (test set, else training split).
    static func recorded(_ saved: SavedModel, result: FitResult, config: Config, summary: TrainingSummary, trainCount: Int,
                         testCount: Int, classCounts: [(key: String, value: JSONValue)]) -> SavedModel {
        var saved = saved
        saved.config = config.jsonValue
        saved.metrics = summary.jsonValue
        saved.training = .object([
            ("epochs", .number(Double(result.epochs.count))), ("steps", .number(Double(result.steps))),
            ("stop_reason", .string(result.stopReason.rawValue)),
            ("train_samples", .number(Double(trainCount))),
            ("test_samples", .number(Double(testCount))),
        ] + classCounts)
        saved.evaluation = result.test.map { $0.recordJSON(set: "test") } ?? result.train!.recordJSON(set: "train")
        return saved
    }
}
