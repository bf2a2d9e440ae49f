import Foundation

/// The files a search writes in its folder besides the log (``SearchLog``): the best
/// candidate's config, the model it makes when trained on the whole training split, and
/// report.html (``SearchReport``).
public enum SearchFolder {
    public static let bestConfigName = "best-config.json"
    public static let modelName = "model.json"

    /// Checks before any work that the search's files can be written in `folder`: it is a
    /// folder or does not exist yet, and none of its files is a folder.
    public static func check(_ folder: String, configFile: String) throws(LearningError) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), !isDir.boolValue {
            throw .config(file: configFile, key: "output.dir", message: "'\(folder)' is a file, not a folder; --out names the search's folder")
        }
        for name in [SearchLog.fileName, bestConfigName, modelName, SearchReport.fileName] {
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                throw .config(file: configFile, key: "output.dir",
                              message: "'\(path)' is a folder; the search writes a file of that name in its folder")
            }
        }
    }

    /// The config as a file that `minibatch train --config` reads from anywhere: its data
    /// paths made absolute (they were resolved against the config's folder, or are relative
    /// to the current folder) and no output folder.
    public static func portable(_ config: Config) -> JSONValue {
        var c = config
        let here = FileManager.default.currentDirectoryPath
        func absolute(_ p: String?) -> String? {
            guard let p, !p.hasPrefix("/") else { return p }
            return ((here as NSString).appendingPathComponent(p) as NSString).standardizingPath
        }
        c.data.train = absolute(c.data.train)
        c.data.test = absolute(c.data.test)
        c.data.trainLabels = absolute(c.data.trainLabels)
        c.data.testLabels = absolute(c.data.testLabels)
        c.data.trainWeights = absolute(c.data.trainWeights)
        c.outputDir = nil
        return c.jsonValue
    }

    /// Writes `config` as `folder`/best-config.json.
    public static func writeBestConfig(_ config: Config, folder: String) throws(LearningError) {
        try AtomicFile.makeFolder(folder)
        try AtomicFile.write(portable(config).prettyText() + "\n", to: (folder as NSString).appendingPathComponent(bestConfigName))
    }

    /// Writes the model of `result`, trained on `data` (the whole training split, scored on
    /// the test set) with `config`, as `folder`/model.json, with the run's record as
    /// `minibatch train` writes it.
    /// - Returns: the summary stored as the model's metrics.
    @discardableResult
    public static func writeModel<Rows: TrainingRows>(_ result: FitResult, data: Prepared<Rows>, config: Config, folder: String,
                                                      loadSeconds: Double, workers: Int) throws(LearningError) -> TrainingSummary {
        let path = (folder as NSString).appendingPathComponent(modelName)
        let summary = TrainingSummary(result, modelPath: path, trainCount: data.train.count, loadSeconds: loadSeconds,
                                      workers: workers)
        var saved = SavedModel(model: result.model, classes: data.train.classes, featureNames: data.train.featureNames,
                               label: data.label, scaler: data.scaler)
        saved.weight = data.weight
        saved.preprocessing = data.preprocessing
        saved = RunFolder.recorded(saved, result: result, config: config, summary: summary, trainCount: data.train.count,
                                   testCount: data.test?.count ?? 0, classCounts: data.classCountsJSON)
        try AtomicFile.makeFolder(folder)
        try saved.write(to: path)
        return summary
    }
}
