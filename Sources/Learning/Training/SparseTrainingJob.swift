import DataParallel
import Foundation

/// LIBSVM training and test sets ready for the sparse trainer: labels encoded, values scaled,
/// never made dense. The sparse counterpart of ``PreparedData``.
public struct PreparedSparseData: Sendable {
    public var train: SparseDataset
    public var test: SparseDataset?
    /// Held out of the training split for early stopping.
    public var validation: SparseDataset?
    /// Scale-only (mean 0; see ``Standardizer/init(fittingScaleOnly:)``), or nil.
    public var scaler: Standardizer?
    public var label: String
    public var source: String

    /// Reads the config's LIBSVM training file (and test file), splits off a test set when
    /// there is no test file and a validation set for early stopping (the dense path's
    /// stratified, seeded splits), and fits the scale-only standardiser on the training split.
    ///
    /// The feature count is `data.features`, else the largest index in the training file; an
    /// index above it, in either file, is an error at its line.
    /// - Parameter initial: a linear model to continue (warm start): its feature count,
    ///   classes and scaler are used instead of the data's.
    public static func load(_ config: Config, initial: SavedModel? = nil) throws(LearningError) -> PreparedSparseData {
        let d = config.data
        precondition(d.isSparse, "not LIBSVM training data")
        let path = d.train!
        var featureCount = d.features
        if let initial {
            if initial.model.linear == nil {
                throw .config(file: config.file, key: "model.type",
                              message: "the initial model is an mlp; LIBSVM data trains linear models only")
            }
            if let scaler = initial.scaler, !scaler.isScaleOnly {
                throw .data(file: path, line: nil,
                            message: "the initial model centres its features (it was trained on dense data); "
                                + "LIBSVM data cannot be centred without becoming dense")
            }
            if let f = featureCount, f != initial.featureNames.count {
                throw .config(file: config.file, key: "data.features",
                              message: "\(f) differs from the initial model's \(initial.featureNames.count) features")
            }
            featureCount = initial.featureNames.count
        }
        let table = try LIBSVMReader.read(path: path, featureCount: featureCount)
        if let initial, let unknown = Set(table.labels).subtracting(initial.classes).sorted().first {
            throw .data(file: path, line: nil,
                        message: "label '\(unknown)' is not a class of the model (classes: \(initial.classes.joined(separator: ", ")))")
        }
        let classes = initial?.classes ?? ClassEncoding.sortedClasses(Set(table.labels))
        if classes.count < 2 {
            throw .data(file: path, line: nil,
                        message: "the labels hold only one class ('\(classes.first ?? "")'); a classifier needs at least two")
        }
        try config.training.classWeight?.check(classes: classes, configFile: config.file)
        if initial == nil { try checkMemory(config, table: table, classCount: classes.count) }
        var all = SparseDataset(table, classes: classes)
        if let weights = d.trainWeights {
            all.weights = try TableLoading.loadWeights(path: weights, rows: all.count, features: path)
        }
        var test: SparseDataset? = nil
        if let testPath = d.test {
            test = SparseDataset(try LIBSVMReader.read(path: testPath, featureCount: all.featureCount), classes: classes)
        }
        var validation = Splitting.holdOut(&all, test: &test, classCount: classes.count, testFraction: d.testFraction,
                                           options: config.training)
        if all.allFeaturesConstant { throw .allFeaturesConstant(file: path, rows: all.count) }
        let scaler = initial != nil ? initial!.scaler : (d.standardize ? Standardizer(fittingScaleOnly: all) : nil)
        if let scaler {
            scaler.transformScaleOnly(&all)
            if test != nil { scaler.transformScaleOnly(&test!) }
            if validation != nil { scaler.transformScaleOnly(&validation!) }
        }
        return PreparedSparseData(train: all, test: test, validation: validation, scaler: scaler, label: d.label,
                                  source: path)
    }

    /// Refuses, before any per-feature array is allocated, a feature count whose model needs
    /// more memory than the machine has (see ``MemoryBudget``): the error names `data.features`
    /// when that key set the count, else the line of the row with the largest index.
    static func checkMemory(_ config: Config, table: SparseTable, classCount k: Int,
                            available: Double = MemoryBudget.physicalMemory) throws(LearningError) {
        let kind = try PreparedData.modelKind(config.modelType, classCount: k, configFile: config.file)
        let outputs = kind == .logistic ? 1 : k
        let d = table.featureCount
        let bytes = MemoryBudget.sparseLinearBytes(features: d, outputs: outputs, standardize: config.data.standardize,
                                                   rows: table.count, entries: table.values.count)
        guard let shortfall = MemoryBudget.shortfall(needs: bytes, available: available) else { return }
        let model = "a model of \(d) features x \(outputs) output\(outputs == 1 ? "" : "s")"
        if config.data.features != nil {
            throw .config(file: config.file, key: "data.features", message: "\(model) \(shortfall)")
        }
        throw .data(file: table.file, line: table.largestIndexLine,
                    message: "feature index \(d) makes \(model), which \(shortfall)")
    }

    /// model.json's class counts of each split (see ``PreparedData/classCountsJSON``).
    public var classCountsJSON: [(key: String, value: JSONValue)] {
        func counts(_ d: SparseDataset?) -> JSONValue { d.map { .array($0.classCounts.map { .number(Double($0)) }) } ?? .null }
        return [
            ("validation_samples", .number(Double(validation?.count ?? 0))),
            ("train_class_counts", counts(train)),
            ("validation_class_counts", counts(validation)),
            ("test_class_counts", counts(test)),
        ]
    }
}

extension TrainingJob {
    /// ``run(_:initModel:control:onEpoch:)`` for LIBSVM training data: the same steps and
    /// files, on the sparse path (``PreparedSparseData``, ``SparseTrainer``).
    static func runSparse(_ config: Config, pool: WorkerPool, initModel: String?, control: JobControl,
                          onEpoch: (EpochReport) -> Void) throws(LearningError) -> TrainingSummary {
        let loadStart = Date()
        let initial = try initModel.map { path throws(LearningError) in try SavedModel.read(path: path) }
        let data = try PreparedSparseData.load(config, initial: initial)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let start: LinearModel
        if let initial, let linear = initial.model.linear {
            try checkWarmStart(config, initial: initial.model)
            start = linear
        } else {
            let k = data.train.classes.count
            let kind = try PreparedData.modelKind(config.modelType, classCount: k, configFile: config.file)
            start = LinearModel(kind: kind, featureCount: data.train.featureCount, classCount: k)
        }
        let folder = outputFolder(config)
        let (trainerControl, checkpoint) = try control.trainerControl(
            config: config, initModel: initModel, data: DataIdentity(data.train), folder: folder)
        let run = try SparseTrainer(options: config.training, pool: pool)
            .train(start, on: data.train, test: data.test, validation: data.validation, resume: control.resume?.state,
                   control: trainerControl, onEpoch: onEpoch)
        if run.stopReason == .interrupted {
            try checkpoint(run.state)
            return interruptedSummary(folder: folder, run: run, loadSeconds: loadSeconds, workers: pool.workerCount)
        }
        let trainScores = run.model.score(data.train, pool: pool)
        var final = Evaluation(scores: trainScores, labels: data.train.labels, classes: data.train.classes,
                               unseenLabels: data.train.unseenLabels)
        if let w = config.training.rowWeights(for: data.train, heldOut: data.validation) {
            final.logLoss = Evaluation.weightedMeanLoss(trainScores.losses, weights: w)
        }
        let testEval = data.test.flatMap { $0.count > 0 ? Evaluation(model: run.model, data: $0, pool: pool) : nil }
        let saved = SavedModel(model: run.model, classes: data.train.classes, featureNames: data.train.featureNames,
                               label: data.label, scaler: data.scaler)
        return try finish(config, folder: folder, run: run, saved: saved, final: final, testEval: testEval,
                          trainCount: data.train.count, testCount: data.test?.count ?? 0,
                          classCounts: data.classCountsJSON, loadSeconds: loadSeconds, workers: pool.workerCount)
    }
}
