import DataParallel
import Foundation

extension LoadedData where Rows == SparseDataset {
    /// Reads the config's LIBSVM training file (and test file), labels encoded, never made
    /// dense. The feature count is `data.features`, else the largest index in the training
    /// file; an index above it, in either file, is an error at its line.
    /// - Parameter initial: a linear model to continue (warm start): its feature count and
    ///   classes are used instead of the data's.
    public static func read(_ config: Config, initial: SavedModel? = nil) throws(LearningError) -> LoadedData {
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
        if initial == nil { try PreparedSparseData.checkMemory(config, table: table, classCount: classes.count) }
        var all = SparseDataset(table, classes: classes)
        if let weights = d.trainWeights {
            all.weights = try TableLoading.loadWeights(path: weights, rows: all.count, features: path)
        }
        var test: SparseDataset? = nil
        if let testPath = d.test {
            test = SparseDataset(try LIBSVMReader.read(path: testPath, featureCount: all.featureCount), classes: classes)
        }
        return LoadedData(rows: all, test: test, label: d.label, source: path)
    }
}

extension Prepared where Rows == SparseDataset {
    /// Reads the config's LIBSVM training file (and test file), splits off a test set when
    /// there is no test file and a validation set for early stopping (the dense path's
    /// stratified, seeded splits), and fits the scale-only standardiser on the training split.
    ///
    /// The feature count is `data.features`, else the largest index in the training file; an
    /// index above it, in either file, is an error at its line.
    /// - Parameter initial: a linear model to continue (warm start): its feature count,
    ///   classes and scaler are used instead of the data's.
    public static func load(_ config: Config, initial: SavedModel? = nil) throws(LearningError) -> PreparedSparseData {
        try prepare(try LoadedData.read(config, initial: initial), config: config, initial: initial)
    }

    /// Refuses, before any per-feature array is allocated, a feature count whose model needs
    /// more memory than the machine has (see ``MemoryBudget``): the error names `data.features`
    /// when that key set the count, else the line of the row with the largest index.
    static func checkMemory(_ config: Config, table: SparseTable, classCount k: Int,
                            available: Double = MemoryBudget.physicalMemory) throws(LearningError) {
        let kind = try PreparedData.modelKind(config.modelType, classCount: k, configFile: config.file)
        let outputs = kind.outputCount(classes: k)
        let d = table.featureCount
        let bytes = MemoryBudget.sparseLinearBytes(features: d, outputs: outputs, standardize: config.data.standardize,
                                                   rows: table.count, entries: table.values.count,
                                                   optimizerSlots: config.training.optimizer.sparseStateSlots)
        guard let shortfall = MemoryBudget.shortfall(needs: bytes, available: available) else { return }
        let model = "a model of \(d) features x \(outputs) output\(outputs == 1 ? "" : "s")"
        if config.data.features != nil {
            throw .config(file: config.file, key: "data.features", message: "\(model) \(shortfall)")
        }
        throw .data(file: table.file, line: table.largestIndexLine,
                    message: "feature index \(d) makes \(model), which \(shortfall)")
    }
}
