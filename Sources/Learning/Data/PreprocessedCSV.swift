/// Reading a CSV training (or test) file whose columns need more than numbers (data.ignore,
/// data.categorical, data.missing): as a ``TextTable``, with a ``ColumnPreprocessing`` learned
/// on the training split (the rows the test split leaves, exactly as
/// ``Splitting/holdOut(_:test:classCount:testFraction:options:)`` will cut them) or taken from
/// a warm start's model.
enum PreprocessedCSV {
    /// The training file as features, and the preprocessing that made them.
    static func readTraining(_ config: Config, initial: SavedModel?) throws(LearningError)
        -> (table: LabeledTable, preprocessing: ColumnPreprocessing)
    {
        let d = config.data
        let text = try TextTable.read(path: d.train!)
        guard let labels = text.column(d.label) else {
            let names = text.names.prefix(8).joined(separator: ", ")
            throw .data(file: text.file, line: text.headerLine,
                        message: "no label column '\(d.label)' in the header (columns: \(names)\(text.names.count > 8 ? ", ..." : "")); set data.label to its name")
        }
        if let r = labels.firstIndex(of: "") { throw .data(file: text.file, line: text.lines[r], message: "the label is empty") }
        let preprocessing: ColumnPreprocessing
        if let stored = initial?.preprocessing {
            preprocessing = stored
        } else {
            let classes = ClassEncoding.sortedClasses(Set(labels))
            var rows = Array(0..<text.count)
            if d.test == nil && d.testFraction > 0 && classes.count >= 2 {
                let encoded = ClassEncoding.encode(labels, classes: classes).labels
                rows = Splitting.stratified(labels: encoded, classCount: classes.count, testFraction: d.testFraction,
                                            seed: config.training.seed).train
            }
            preprocessing = try ColumnPreprocessing.learn(text, label: d.label, weight: d.weight, data: d, trainingRows: rows)
        }
        let features = try preprocessing.transform(text, label: d.label, weight: d.weight)
        var table = LabeledTable(features: features, labels: labels, featureNames: preprocessing.featureNames, file: text.file)
        if let weight = d.weight {
            table.weights = try weights(text, column: weight)
        }
        return (table, preprocessing)
    }

    /// A test file (or data to score) with its label column, transformed by `preprocessing`.
    static func readTest(path: String, label: String, weight: String?, preprocessing: ColumnPreprocessing)
        throws(LearningError) -> LabeledTable
    {
        let text = try TextTable.read(path: path)
        guard let labels = text.column(label) else {
            throw .data(file: path, line: text.headerLine, message: "no label column '\(label)' in the header of the test file")
        }
        let features = try preprocessing.transform(text, label: label, weight: weight)
        return LabeledTable(features: features, labels: labels, featureNames: preprocessing.featureNames, file: path)
    }

    /// The weight column's values: numbers >= 0, not all 0 (as ``CSVReader`` checks them).
    static func weights(_ text: TextTable, column: String) throws(LearningError) -> [Float] {
        guard let cells = text.column(column) else {
            throw .data(file: text.file, line: text.headerLine, message: "no weight column '\(column)' in the header; set data.weight to its name")
        }
        var out: [Float] = []
        out.reserveCapacity(cells.count)
        for (r, cell) in cells.enumerated() {
            let w = try CSVReader.parseNumber(cell, column: column, file: text.file, line: text.lines[r])
            if !(w >= 0) {
                throw .data(file: text.file, line: text.lines[r], message: "weight column '\(column)' value \(w) is negative; sample weights must be >= 0")
            }
            out.append(w == 0 ? 0 : w)
        }
        if !out.contains(where: { $0 > 0 }) {
            throw .data(file: text.file, line: nil, message: "every value of the weight column '\(column)' is 0; at least one row needs a positive weight")
        }
        return out
    }
}
