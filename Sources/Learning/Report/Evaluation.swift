import DataParallel
import Foundation

/// Accuracy, log loss and confusion matrix of a model on labelled data.
public struct Evaluation: Sendable, Equatable {
    public var count: Int
    /// Fraction of rows whose predicted class is the label (rows with unseen labels count as wrong).
    public var accuracy: Double
    /// Mean -log p(label) over the rows whose label is a class of the model.
    public var logLoss: Double
    /// Row names of the confusion matrix: the model's classes, then unseen labels.
    public var trueLabels: [String]
    /// Column names: the model's classes.
    public var predictedLabels: [String]
    /// The confusion matrix's non-zero cells, sorted by row then column: a data set of n rows
    /// has at most n of them, however many classes there are (a dense matrix of 100,000
    /// classes would be 10^10 counts).
    public var cells: [ConfusionCell]
    /// Rows whose label the model never saw.
    public var unseenCount: Int

    /// confusion[i][j]: rows with true label i predicted as class j, as a dense matrix. Only
    /// for small class counts (see ``isSmall``): its size is the square of the class count.
    public var confusion: [[Int]] { ConfusionCell.dense(cells, rows: trueLabels.count, columns: predictedLabels.count) }

    /// True when the dense matrix has at most ``denseCellLimit`` cells: small enough to print,
    /// store in model.json and draw cell by cell.
    public var isSmall: Bool { ConfusionCell.isSmall(rows: trueLabels.count, columns: predictedLabels.count) }

    public init(model: some Classifier, data: Dataset, pool: WorkerPool) {
        self.init(scores: model.score(data, pool: pool), data: data)
    }

    /// Sums in row order, so the result is the same for any worker count.
    public init(scores: Scores, data: some TrainingRows) {
        self.init(scores: scores, labels: data.labels, classes: data.classes, unseenLabels: data.unseenLabels)
    }

    /// The figures of `scores` against encoded labels (see ``Dataset/labels``), summed in row order.
    public init(scores: Scores, labels: [Int32], classes: [String], unseenLabels: [String]) {
        let k = classes.count
        trueLabels = classes + unseenLabels
        predictedLabels = classes
        var counts = ConfusionCounts(cells: trueLabels.count * k)
        count = labels.count
        var correct = 0, seen = 0
        var lossSum = 0.0
        unseenCount = 0
        for i in 0..<labels.count {
            let y = Int(labels[i]), p = Int(scores.predicted[i])
            if y >= 0 {
                counts.add(y * k + p)
                if y == p { correct += 1 }
                lossSum += scores.losses[i]
                seen += 1
            } else {
                counts.add((k + (-1 - y)) * k + p)
                unseenCount += 1
            }
        }
        cells = counts.sorted().map { ConfusionCell(row: $0.index / k, column: $0.index % k, count: $0.count) }
        accuracy = count > 0 ? Double(correct) / Double(count) : 0
        logLoss = seen > 0 ? lossSum / Double(seen) : .nan
    }
}

extension Evaluation {
    /// (1/n) sum_i w_i L_i over per-row losses, summed in row order: the data term of the
    /// weighted objective that training with sample or class weights minimises.
    public static func weightedMeanLoss(_ losses: [Double], weights: [Float]) -> Double {
        precondition(losses.count == weights.count)
        var sum = 0.0
        for i in losses.indices where weights[i] != 0 { sum += Double(weights[i]) * losses[i] }
        return losses.isEmpty ? .nan : sum / Double(losses.count)
    }
}

/// Precision, recall and F1 of one class, from the confusion matrix.
public struct ClassScores: Sendable, Equatable {
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Rows whose true label is this class.
    public var support: Int
}

extension Evaluation {
    /// Per class c of the model, with TP the diagonal entry:
    /// precision = TP / (rows predicted c), recall = TP / (rows labelled c),
    /// F1 = 2 precision recall / (precision + recall); a ratio with nothing to divide by is 0
    /// (as scikit-learn's `zero_division=0`). Rows with unseen labels count as predictions
    /// (lowering precision) but have no class of their own.
    public var classScores: [ClassScores] { ConfusionCell.classScores(cells, classes: predictedLabels.count) }

    /// Unweighted means of precision, recall and F1 over the model's classes.
    public var macroAverage: ClassScores { average(weighted: false) }
    /// Means weighted by each class's support.
    public var weightedAverage: ClassScores { average(weighted: true) }

    private func average(weighted: Bool) -> ClassScores {
        let s = classScores
        let total = s.reduce(0) { $0 + $1.support }
        let weights = s.map { weighted ? (total > 0 ? Double($0.support) / Double(total) : 0) : 1 / Double(max(s.count, 1)) }
        func mean(_ f: (ClassScores) -> Double) -> Double { zip(s, weights).reduce(0) { $0 + f($1.0) * $1.1 } }
        return ClassScores(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: total)
    }
}

/// One non-zero cell of a confusion matrix: `count` rows of true label `row` (a class, or an
/// unseen label after the classes) predicted as class `column`.
public struct ConfusionCell: Sendable, Equatable {
    public var row: Int
    public var column: Int
    public var count: Int

    public init(row: Int, column: Int, count: Int) {
        self.row = row
        self.column = column
        self.count = count
    }

    /// The most cells a confusion matrix may have to be kept dense: printed by `evaluate`,
    /// stored as model.json's "confusion_matrix", drawn cell by cell in report.html (200 x
    /// 200). Larger ones are kept as their non-zero cells.
    public static let denseCellLimit = 40_000

    static func isSmall(rows: Int, columns: Int) -> Bool { rows * columns <= denseCellLimit }

    /// The dense matrix of `cells`.
    static func dense(_ cells: [ConfusionCell], rows: Int, columns: Int) -> [[Int]] {
        var m = [[Int]](repeating: [Int](repeating: 0, count: columns), count: rows)
        for c in cells { m[c.row][c.column] += c.count }
        return m
    }

    /// Per class c < `classes`: precision = TP / (rows predicted c), recall = TP / (rows
    /// labelled c), F1 = 2 precision recall / (precision + recall), 0 when a ratio has nothing
    /// to divide by; from the cells in one pass (O(cells + classes)).
    static func classScores(_ cells: [ConfusionCell], classes k: Int) -> [ClassScores] {
        var tp = [Int](repeating: 0, count: k), predicted = tp, support = tp
        for c in cells {
            predicted[c.column] += c.count
            if c.row < k { support[c.row] += c.count }
            if c.row == c.column { tp[c.row] += c.count }
        }
        return (0..<k).map { c in
            let p = predicted[c] > 0 ? Double(tp[c]) / Double(predicted[c]) : 0
            let r = support[c] > 0 ? Double(tp[c]) / Double(support[c]) : 0
            return ClassScores(precision: p, recall: r, f1: p + r > 0 ? 2 * p * r / (p + r) : 0, support: support[c])
        }
    }

    /// The `limit` largest off-diagonal cells, largest first (ties by row, then column).
    public static func topConfusions(_ cells: [ConfusionCell], limit: Int) -> [ConfusionCell] {
        Array(cells.filter { $0.row != $0.column }
            .sorted { ($0.count, -$0.row, -$0.column) > ($1.count, -$1.row, -$1.column) }.prefix(limit))
    }
}

/// Counts by cell index: a flat array for up to a million cells, a dictionary of the non-zero
/// ones beyond (never a dense matrix of the square of a large class count).
struct ConfusionCounts {
    private var flat: [Int]
    private var sparse: [Int: Int] = [:]
    private let isFlat: Bool

    init(cells: Int) {
        isFlat = cells <= 1_000_000
        flat = isFlat ? [Int](repeating: 0, count: cells) : []
    }

    mutating func add(_ index: Int) {
        if isFlat { flat[index] += 1 } else { sparse[index, default: 0] += 1 }
    }

    /// The non-zero counts by increasing index.
    func sorted() -> [(index: Int, count: Int)] {
        if isFlat { return flat.indices.filter { flat[$0] != 0 }.map { ($0, flat[$0]) } }
        return sparse.keys.sorted().map { ($0, sparse[$0]!) }
    }
}
