import DataParallel
import Foundation

/// Training and test sets ready for a model: labels encoded, features standardised.
public struct PreparedData: Sendable {
    public var train: Dataset
    public var test: Dataset?
    /// Held out of the training split for early stopping.
    public var validation: Dataset?
    public var scaler: Standardizer?
    /// The label column's name.
    public var label: String
    /// The CSV column of sample weights (`data.weight`), or nil; the rows' weights are in
    /// `train.weights` (and travel with the rows into `test` and `validation`).
    public var weight: String? = nil
    /// Where the training data came from, for messages.
    public var source: String

    /// Loads (or generates) the data a config names, splits off a test set when there is no
    /// test file, and fits the standardiser on the training split only.
    /// - Parameters:
    ///   - pool: parses large CSV files in parallel; nil uses every core.
    ///   - initial: a model to continue training (warm start). Its classes, feature names and
    ///     scaler are used instead of the data's: columns are matched by name, every label must
    ///     be one of its classes, and its stored standardiser is applied as it is.
    public static func load(_ config: Config, pool: WorkerPool? = nil, initial: SavedModel? = nil)
        throws(LearningError) -> PreparedData
    {
        let d = config.data
        var table: LabeledTable
        if let spec = d.synthetic {
            try checkMemory(spec, configFile: config.file)
            table = SyntheticData.generate(spec)
        } else if let npy = try TableLoading.load(path: d.train!, label: d.label, labels: d.trainLabels, labelColumn: d.labelColumn,
                                                             format: d.format) {
            table = npy
            if let weights = d.trainWeights {
                table.weights = try TableLoading.loadWeights(path: weights, rows: table.count, features: d.train!)
            }
        } else {
            table = try CSVReader.read(path: d.train!, label: d.label, weight: d.weight, pool: pool)
        }
        if let initial {
            let matched = try table.matchingColumns(initial.featureNames)
            table = matched
            if let unknown = Set(table.labels).subtracting(initial.classes).sorted().first {
                throw .data(file: table.file, line: nil,
                            message: "label '\(unknown)' is not a class of the model (classes: \(initial.classes.joined(separator: ", ")))")
            }
        }
        let classes = initial?.classes ?? table.distinctLabels
        if classes.count < 2 {
            throw .data(file: table.file, line: nil,
                        message: "the label column '\(d.label)' holds only one class ('\(classes.first ?? "")'); a classifier needs at least two")
        }
        try config.training.classWeight?.check(classes: classes, configFile: config.file)
        let featureNames = table.featureNames, source = table.file
        // Hand the feature array over without a copy: the table gives up its reference.
        var all = table.encoded(classes: classes)
        table.features = []
        var test: Dataset? = nil
        if let testPath = d.test {
            if let npy = try TableLoading.load(path: testPath, label: d.label, labels: d.testLabels, labelColumn: d.labelColumn,
                                                 format: d.format) {
                guard npy.featureNames.count == featureNames.count else {
                    throw .data(file: testPath, line: nil,
                                message: "has \(npy.featureNames.count) feature columns, the training data has \(featureNames.count)")
                }
                test = npy.encoded(classes: classes)
            } else {
                let t = try CSVReader.readForModel(path: testPath, featureNames: featureNames, label: d.label,
                                                   ignoring: d.weight.map { [$0] } ?? [], pool: pool)
                guard let labels = t.labels else {
                    throw .data(file: testPath, line: 1, message: "no label column '\(d.label)' in the header of the test file")
                }
                test = LabeledTable(features: t.features, labels: labels, featureNames: featureNames, file: testPath)
                    .encoded(classes: classes)
            }
        }
        var validation = Splitting.holdOut(&all, test: &test, classCount: classes.count, testFraction: d.testFraction,
                                           options: config.training)
        if allFeaturesConstant(all) { throw .allFeaturesConstant(file: source, rows: all.count) }
        var scaler: Standardizer? = nil
        if let initial {
            scaler = initial.scaler
            scaler?.transform(&all.features)
            if test != nil { scaler?.transform(&test!.features) }
            if validation != nil { scaler?.transform(&validation!.features) }
        } else if d.standardize {
            let s = Standardizer(fitting: all.features, featureCount: all.featureCount)
            s.transform(&all.features)
            if test != nil { s.transform(&test!.features) }
            if validation != nil { s.transform(&validation!.features) }
            scaler = s
        }
        return PreparedData(train: all, test: test, validation: validation, scaler: scaler, label: d.label,
                            weight: d.weight, source: source)
    }

    /// Whether every feature column holds one value in all rows: every row equals the first.
    /// Stops at the first row that differs, so a usable data set costs one row's comparison.
    static func allFeaturesConstant(_ data: Dataset) -> Bool {
        let d = data.featureCount
        return data.features.withUnsafeBufferPointer { x in
            for r in 1..<max(data.count, 1) {
                for j in 0..<d where x[r * d + j] != x[j] { return false }
            }
            return true
        }
    }

    /// The model kind for `type` and this data's class count.
    public func modelKind(_ type: ModelType, configFile: String) throws(LearningError) -> LinearModelKind {
        try Self.modelKind(type, classCount: train.classes.count, configFile: configFile)
    }

    /// Refuses, before generating it, a synthetic data set whose samples x features floats
    /// need more memory than the machine has (see ``MemoryBudget``); the error names
    /// `data.synthetic.samples`.
    static func checkMemory(_ spec: SyntheticSpec, configFile: String,
                            available: Double = MemoryBudget.physicalMemory) throws(LearningError) {
        let bytes = MemoryBudget.denseDataBytes(samples: spec.samples, features: spec.features)
        guard let shortfall = MemoryBudget.shortfall(needs: bytes, available: available) else { return }
        throw .config(file: configFile, key: "data.synthetic.samples",
                      message: "the data, \(spec.samples) samples x \(spec.features) features, \(shortfall)")
    }

    /// The model kind for `type` and `k` classes.
    static func modelKind(_ type: ModelType, classCount k: Int, configFile: String) throws(LearningError) -> LinearModelKind {
        switch type {
        case .auto: return k == 2 ? .logistic : .softmax
        case .softmax, .mlp: return .softmax
        case .logistic:
            if k != 2 {
                throw .config(file: configFile, key: "model.type",
                              message: "\"logistic\" needs two classes, the data has \(k); use \"softmax\" or \"auto\"")
            }
            return .logistic
        }
    }
}
