/// Seeded, stratified splits and shuffles.
public enum Splitting {
    /// The early-stopping hold-out of a training split: `options.validationFraction` of each
    /// class, seeded by training.seed in a stream apart from the test split's.
    public static func validation(labels: [Int32], classCount: Int, options: TrainingOptions) -> (train: [Int], test: [Int]) {
        stratified(labels: labels, classCount: classCount, testFraction: options.validationFraction,
                   seed: options.seed &+ 0x7A11D)
    }

    /// Splits row indices into train and test so that each class keeps its share:
    /// a class of c rows gives round(c * testFraction) rows to the test set, but always
    /// keeps at least one for training. The choice within a class comes from `seed`.
    /// Both index lists come back in increasing order.
    public static func stratified(labels: [Int32], classCount: Int, testFraction: Double, seed: UInt64)
        -> (train: [Int], test: [Int])
    {
        if testFraction <= 0 { return (Array(labels.indices), []) }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, y) in labels.enumerated() { byClass[Int(y)].append(i) }
        var rng = SplitMix64(seed: seed ^ 0x5EED_5EED_5EED_5EED)
        var train: [Int] = [], test: [Int] = []
        for var rows in byClass {
            rng.shuffle(&rows)
            let k = min(Int((Double(rows.count) * testFraction).rounded()), max(rows.count - 1, 0))
            test += rows[..<k]
            train += rows[k...]
        }
        return (train.sorted(), test.sorted())
    }
}

extension Splitting {
    /// Cuts the held-out rows off `all`, as every data path does: a stratified test split of
    /// `testFraction` when there is no `test` yet (no test file), then, with early stopping,
    /// the validation split of the rows that remain.
    /// - Returns: the validation rows, or nil without early stopping.
    static func holdOut<Rows: TrainingRows>(_ all: inout Rows, test: inout Rows?, classCount: Int, testFraction: Double,
                                            options: TrainingOptions) -> Rows? {
        if test == nil, testFraction > 0 {
            let split = stratified(labels: all.labels, classCount: classCount, testFraction: testFraction, seed: options.seed)
            test = all.subset(split.test)
            all = all.subset(split.train)
        }
        guard options.earlyStopping else { return nil }
        let split = validation(labels: all.labels, classCount: classCount, options: options)
        let held = all.subset(split.test)
        all = all.subset(split.train)
        return held
    }
}
