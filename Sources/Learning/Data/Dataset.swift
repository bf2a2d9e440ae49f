/// Labelled examples in memory: a dense float32 feature matrix and one class index per row.
public struct Dataset: Sendable {
    /// Feature matrix, (count, featureCount) row-major.
    public var features: [Float]
    /// Class index per row into `classes`. A label the classes do not contain (possible only
    /// in data scored by a trained model) is stored as -1 - u, u its index in `unseenLabels`.
    public var labels: [Int32]
    /// The class names, in model order.
    public var classes: [String]
    /// One name per feature column.
    public var featureNames: [String]
    /// Labels that are not in `classes`, in order of first appearance (rows with negative labels).
    public var unseenLabels: [String] = []
    /// Per-row sample weights (finite, >= 0), or nil when every row weighs 1. They travel
    /// with their rows through ``subset(_:)``.
    public var weights: [Float]? = nil

    public var count: Int { labels.count }
    public var featureCount: Int { featureNames.count }

    public init(features: [Float], labels: [Int32], classes: [String], featureNames: [String]) {
        precondition(features.count == labels.count * featureNames.count, "features must be (count, featureCount)")
        self.features = features
        self.labels = labels
        self.classes = classes
        self.featureNames = featureNames
    }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        let d = featureCount
        let f = features.withUnsafeBufferPointer { x in
            floatsOnHugePages(count: indices.count * d) { out in
                for (r, i) in indices.enumerated() {
                    (out.baseAddress! + r * d).initialize(from: x.baseAddress! + i * d, count: d)
                }
            }
        }
        var out = Dataset(features: f, labels: indices.map { labels[$0] }, classes: classes, featureNames: featureNames)
        out.unseenLabels = unseenLabels
        out.weights = weights.map { w in indices.map { w[$0] } }
        return out
    }

}

/// A table read from a file before its labels are encoded as class indices.
public struct LabeledTable: Sendable {
    /// (count, featureNames.count) row-major.
    public var features: [Float]
    /// The label text of each row.
    public var labels: [String]
    public var featureNames: [String]
    /// The file the table came from, for messages.
    public var file: String
    /// Per-row sample weights, or nil for all 1 (see ``Dataset/weights``).
    public var weights: [Float]? = nil

    public var count: Int { labels.count }

    /// A table of `labels.count` rows: `features` (count, featureNames.count) row-major.
    public init(features: [Float], labels: [String], featureNames: [String], file: String, weights: [Float]? = nil) {
        self.features = features
        self.labels = labels
        self.featureNames = featureNames
        self.file = file
        self.weights = weights
    }

    /// The sorted distinct labels: numerically when every label is a number, otherwise by
    /// their text. For two classes the second one is the positive class of a logistic model.
    public var distinctLabels: [String] { ClassEncoding.sortedClasses(Set(labels)) }

    /// The table with its feature columns in the order of `names`, which must be the same set
    /// of names (a model's features); otherwise an error at the header line that says which
    /// columns are missing and which the model does not have.
    public func matchingColumns(_ names: [String]) throws(LearningError) -> LabeledTable {
        let have = featureNames
        guard names.count == have.count, Set(names) == Set(have) else {
            func list(_ xs: [String]) -> String {
                xs.isEmpty ? "none" : xs.prefix(5).joined(separator: ", ") + (xs.count > 5 ? ", ..." : "")
            }
            throw .data(file: file, line: 1,
                        message: "the features differ from the model's: the file has \(have.count) feature columns, "
                            + "the model expects \(names.count); missing: \(list(names.filter { !have.contains($0) }))"
                            + "; not in the model: \(list(have.filter { !names.contains($0) }))")
        }
        if names == have { return self }
        var column: [String: Int] = [:]
        for (i, name) in have.enumerated() { column[name] = i }
        let position = names.map { column[$0]! }
        let d = names.count, rows = count
        let out = floatsOnHugePages(count: rows * d) { out in
            features.withUnsafeBufferPointer { from in
                for r in 0..<rows {
                    let source = from.baseAddress! + r * d, target = out.baseAddress! + r * d
                    for (j, p) in position.enumerated() { (target + j).initialize(to: source[p]) }
                }
            }
        }
        return LabeledTable(features: out, labels: labels, featureNames: names, file: file, weights: weights)
    }

    /// The table without feature column `j`, and that column's values.
    func removingColumn(_ j: Int) -> (table: LabeledTable, column: [Float]) {
        let d = featureNames.count, rows = count
        precondition(j >= 0 && j < d)
        var column = [Float]()
        column.reserveCapacity(rows)
        let kept = features.withUnsafeBufferPointer { x in
            floatsOnHugePages(count: rows * (d - 1)) { out in
                for r in 0..<rows {
                    let row = x.baseAddress! + r * d, target = out.baseAddress! + r * (d - 1)
                    target.initialize(from: row, count: j)
                    column.append(row[j])
                    (target + j).initialize(from: row + j + 1, count: d - j - 1)
                }
            }
        }
        var names = featureNames
        names.remove(at: j)
        return (LabeledTable(features: kept, labels: labels, featureNames: names, file: file, weights: weights), column)
    }

    /// Encodes the labels against `classes`; a label not in it becomes -1 - u, where u is
    /// its index in `unseenLabels`.
    public func encoded(classes: [String]) -> Dataset {
        let (ys, unseen) = ClassEncoding.encode(labels, classes: classes)
        var ds = Dataset(features: features, labels: ys, classes: classes, featureNames: featureNames)
        ds.unseenLabels = unseen
        ds.weights = weights
        return ds
    }
}

/// How label strings map to class indices.
public enum ClassEncoding {
    /// Numeric labels ("-1", "1", "10") sort by value, others by text.
    public static func sortedClasses(_ labels: Set<String>) -> [String] {
        let numbers = labels.map { Double($0) }
        if numbers.allSatisfy({ $0 != nil && $0!.isFinite }) {
            return labels.sorted { (Double($0)!, $0) < (Double($1)!, $1) }
        }
        return labels.sorted()
    }

    /// The class index of each label; a label not in `classes` becomes -1 - u, where u is its
    /// index in `unseen` (labels in order of first appearance).
    public static func encode(_ labels: [String], classes: [String]) -> (labels: [Int32], unseen: [String]) {
        var index: [String: Int32] = [:]
        for (i, c) in classes.enumerated() { index[c] = Int32(i) }
        var unseen: [String] = []
        var unseenIndex: [String: Int32] = [:]
        let ys = labels.map { label -> Int32 in
            if let i = index[label] { return i }
            if let u = unseenIndex[label] { return -1 - u }
            let u = Int32(unseen.count)
            unseenIndex[label] = u
            unseen.append(label)
            return -1 - u
        }
        return (ys, unseen)
    }
}
