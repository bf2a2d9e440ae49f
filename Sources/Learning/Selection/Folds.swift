/// The folds of a stratified, seeded k-fold cross-validation: every row of a training split
/// belongs to exactly one of `count` folds, and fold f's model trains on the rows of every
/// other fold and is scored on fold f's rows.
///
/// Rows are dealt to folds class by class: each class's rows, shuffled with the seed, go to
/// folds o, o + 1, ... (mod k), where the start o continues from where the previous class
/// ended. So each class has floor(c / k) or ceil(c / k) rows in every fold (a class of c rows),
/// and the folds' sizes differ by at most one row (scikit-learn's StratifiedKFold balances the
/// same way, with another shuffle).
public struct Folds: Sendable, Equatable {
    /// The fold of every row, in `0..<count`.
    public let assignment: [Int]
    /// k, the number of folds.
    public let count: Int
    public let seed: UInt64

    /// The fewest folds: one to train on, one to score.
    public static let minCount = 2

    /// The folds of rows with these class labels (indices into `classCount` classes).
    /// - Precondition: 2 <= k <= the number of rows.
    public init(labels: [Int32], classCount: Int, count k: Int, seed: UInt64) {
        precondition(k >= Self.minCount && k <= labels.count, "Folds: \(k) folds of \(labels.count) rows")
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, y) in labels.enumerated() where y >= 0 { byClass[Int(y)].append(i) }
        var rng = SplitMix64(seed: seed ^ 0xF01D_5EED_F01D_5EED)
        var assignment = [Int](repeating: 0, count: labels.count)
        var start = 0
        for var rows in byClass {
            rng.shuffle(&rows)
            for (i, row) in rows.enumerated() { assignment[row] = (start + i) % k }
            start = (start + rows.count) % k
        }
        // Rows of no class (not expected in a training split) are spread in row order.
        var spread = start
        for (i, y) in labels.enumerated() where y < 0 {
            assignment[i] = spread
            spread = (spread + 1) % k
        }
        self.assignment = assignment
        count = k
        self.seed = seed
    }

    /// The rows scored in fold `f`, in increasing order.
    public func validationRows(_ f: Int) -> [Int] { assignment.indices.filter { assignment[$0] == f } }

    /// The rows fold `f`'s model trains on (every other fold's), in increasing order.
    public func trainingRows(_ f: Int) -> [Int] { assignment.indices.filter { assignment[$0] != f } }
}
