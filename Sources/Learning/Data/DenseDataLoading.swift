import DataParallel
import Foundation

extension LoadedData where Rows == Dataset {
    /// Reads (or generates) the dense data a config names: the training CSV or `.npy` file, or
    /// synthetic data, and the test file if there is one, with the labels encoded as classes.
    /// - Parameters:
    ///   - pool: parses large CSV files in parallel; nil uses every core.
    ///   - initial: a model to continue training (warm start). Its classes and feature names
    ///     are used instead of the data's: columns are matched by name, and every label must
    ///     be one of its classes.
    public static func read(_ config: Config, pool: WorkerPool? = nil, initial: SavedModel? = nil)
        throws(LearningError) -> LoadedData
    {
        let d = config.data
        var table: LabeledTable
        var preprocessing: ColumnPreprocessing? = nil
        if let spec = d.synthetic {
            try PreparedData.checkMemory(spec, configFile: config.file)
            table = SyntheticData.generate(spec)
        } else if let npy = try TableLoading.load(path: d.train!, label: d.label, labels: d.trainLabels, labelColumn: d.labelColumn,
                                                             format: d.format) {
            table = npy
            if let weights = d.trainWeights {
                table.weights = try TableLoading.loadWeights(path: weights, rows: table.count, features: d.train!)
            }
        } else if d.preprocessesColumns || initial?.preprocessing != nil {
            (table, preprocessing) = try PreprocessedCSV.readTraining(config, initial: initial)
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
        let all = table.encoded(classes: classes)
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
            } else if let preprocessing {
                test = try PreprocessedCSV.readTest(path: testPath, label: d.label, weight: d.weight, preprocessing: preprocessing)
                    .encoded(classes: classes)
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
        var loaded = LoadedData(rows: all, test: test, label: d.label, weight: d.weight, source: source)
        loaded.preprocessing = preprocessing
        return loaded
    }
}

extension Prepared where Rows == Dataset {
    /// Reads (or generates) the data a config names and prepares it (see
    /// ``LoadedData/read(_:pool:initial:)`` and ``Prepared/prepare(_:config:initial:)``); a warm
    /// start's stored standardiser is applied as it is.
    public static func load(_ config: Config, pool: WorkerPool? = nil, initial: SavedModel? = nil)
        throws(LearningError) -> PreparedData
    {
        try prepare(try LoadedData.read(config, pool: pool, initial: initial), config: config, initial: initial)
    }

    /// Whether every feature column holds one value in all rows.
    static func allFeaturesConstant(_ data: Dataset) -> Bool { data.allFeaturesConstant }

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
}
