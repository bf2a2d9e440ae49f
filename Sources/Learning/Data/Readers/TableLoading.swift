/// Loads a labelled table from a CSV file or from `.npy` arrays.
///
/// A `.npy` feature file (float32, float64 or integer, C order, shape (n, d)) gets its labels
/// from a separate 1-D `.npy` file (`labels`), or from one of its own columns
/// (`labelColumn`, negative counting from the end). Its features are named f0, f1, ...
public enum TableLoading {
    public static func isNPY(_ path: String) -> Bool { path.lowercased().hasSuffix(".npy") }

    /// - Parameters:
    ///   - label: the CSV label column's name.
    ///   - labels: a `.npy` file of labels, for `.npy` features.
    ///   - labelColumn: the label column of a `.npy` feature file.
    ///   - requireLabels: false for data to score, which may have no labels.
    ///   - format: nil when `path` is not a `.npy` file by this format (`.auto`: by its extension).
    public static func load(path: String, label: String, labels: String?, labelColumn: Int?,
                            requireLabels: Bool = true, format: DataFormat = .auto) throws(LearningError) -> LabeledTable? {
        guard format.resolved(for: path) == .npy else { return nil }
        var (values, n, columns) = try NPYReader.readMatrix(path: path)
        var labelTexts: [String]
        if let labelColumn {
            let c = labelColumn < 0 ? columns + labelColumn : labelColumn
            guard c >= 0 && c < columns && columns >= 2 else {
                throw .data(file: path, line: nil, message: "label column \(labelColumn) is outside the array's \(columns) columns")
            }
            labelTexts = (0..<n).map { r in
                let v = Double(values[r * columns + c])
                return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
            }
            // Drop the label column from the features, in place.
            var out = 0
            for r in 0..<n {
                for j in 0..<columns where j != c {
                    values[out] = values[r * columns + j]
                    out += 1
                }
            }
            values.removeLast(values.count - out)
            columns -= 1
        } else if let labels {
            labelTexts = try NPYReader.readLabels(path: labels)
            guard labelTexts.count == n else {
                throw .data(file: labels, line: nil, message: "has \(labelTexts.count) labels for the \(n) rows of \(path)")
            }
        } else if requireLabels {
            throw .data(file: path, line: nil,
                        message: "a .npy feature file needs its labels: set data.train_labels (a .npy file) or data.label_column")
        } else {
            labelTexts = [String](repeating: "", count: n)
        }
        return LabeledTable(features: values, labels: labelTexts, featureNames: (0..<columns).map { "f\($0)" }, file: path)
    }

    /// Per-sample weights from a 1-D `.npy` array (or one column), one for each of the `rows`
    /// rows of the feature file `features`: finite, >= 0 and not all 0.
    public static func loadWeights(path: String, rows: Int, features: String) throws(LearningError) -> [Float] {
        let (values, n, columns) = try NPYReader.readMatrix(path: path)
        guard columns == 1 else {
            throw .data(file: path, line: nil, message: "sample weights must be a 1-D array, found \(n) rows of \(columns) columns")
        }
        guard n == rows else { throw .data(file: path, line: nil, message: "has \(n) weights for the \(rows) rows of \(features)") }
        if let bad = values.firstIndex(where: { !($0 >= 0) }) {
            throw .data(file: path, line: nil, message: "weight \(bad) is \(values[bad]); sample weights must be >= 0")
        }
        if !values.contains(where: { $0 > 0 }) {
            throw .data(file: path, line: nil, message: "every weight is 0; at least one row needs a positive weight")
        }
        return values.map { $0 == 0 ? 0 : $0 }
    }
}
