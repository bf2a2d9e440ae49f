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
    /// confusion[i][j]: rows with true label i predicted as class j.
    public var confusion: [[Int]]
    /// Rows whose label the model never saw.
    public var unseenCount: Int

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
        confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: trueLabels.count)
        count = labels.count
        var correct = 0, seen = 0
        var lossSum = 0.0
        unseenCount = 0
        for i in 0..<labels.count {
            let y = Int(labels[i]), p = Int(scores.predicted[i])
            if y >= 0 {
                confusion[y][p] += 1
                if y == p { correct += 1 }
                lossSum += scores.losses[i]
                seen += 1
            } else {
                confusion[k + (-1 - y)][p] += 1
                unseenCount += 1
            }
        }
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
    public var classScores: [ClassScores] {
        let k = predictedLabels.count
        return (0..<k).map { c in
            let tp = confusion[c][c]
            let predicted = confusion.reduce(0) { $0 + $1[c] }
            let support = confusion[c].reduce(0, +)
            let p = predicted > 0 ? Double(tp) / Double(predicted) : 0
            let r = support > 0 ? Double(tp) / Double(support) : 0
            return ClassScores(precision: p, recall: r, f1: p + r > 0 ? 2 * p * r / (p + r) : 0, support: support)
        }
    }

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
