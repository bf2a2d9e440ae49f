import Testing
@testable import Learning

@Suite struct FoldsTests {
    /// 3 classes of 23, 10 and 4 rows, in a scrambled order.
    static let labels: [Int32] = (0..<37).map { i in i % 9 == 0 ? 2 : (i % 3 == 1 ? 1 : 0) }

    @Test("disjoint folds that cover every row", arguments: [2, 3, 5, 10])
    func disjointAndCovering(k: Int) {
        let folds = Folds(labels: Self.labels, classCount: 3, count: k, seed: 7)
        var seen = [Int](repeating: 0, count: Self.labels.count)
        for f in 0..<k {
            for r in folds.validationRows(f) { seen[r] += 1 }
            let train = folds.trainingRows(f), held = folds.validationRows(f)
            #expect(Set(train).isDisjoint(with: held))
            #expect(train.count + held.count == Self.labels.count)
            #expect(train == train.sorted() && held == held.sorted())
        }
        #expect(seen == [Int](repeating: 1, count: Self.labels.count))
    }

    @Test("stratified: each class has floor(c/k) or ceil(c/k) rows in every fold; sizes differ by at most 1",
          arguments: [2, 3, 5])
    func stratified(k: Int) {
        let folds = Folds(labels: Self.labels, classCount: 3, count: k, seed: 3)
        let sizes = (0..<k).map { folds.validationRows($0).count }
        #expect(sizes.max()! - sizes.min()! <= 1)
        for c in 0..<3 {
            let total = Self.labels.filter { $0 == Int32(c) }.count
            for f in 0..<k {
                let inFold = folds.validationRows(f).filter { Self.labels[$0] == Int32(c) }.count
                #expect(inFold == total / k || inFold == (total + k - 1) / k, "class \(c) fold \(f): \(inFold) of \(total)")
            }
        }
    }

    @Test("the same seed gives the same folds, another seed others")
    func seeded() {
        let a = Folds(labels: Self.labels, classCount: 3, count: 5, seed: 1)
        #expect(a == Folds(labels: Self.labels, classCount: 3, count: 5, seed: 1))
        #expect(a.assignment != Folds(labels: Self.labels, classCount: 3, count: 5, seed: 2).assignment)
    }

    @Test("too few rows for the folds is an error naming the data")
    func tooFewRows() {
        #expect(throws: LearningError.data(file: "d.csv", line: nil,
                                           message: "6 folds of a training split of 5 rows; use 2 to 5 folds")) {
            try Folds.checked(labels: [0, 1, 0, 1, 0], classCount: 2, count: 6, seed: 0, source: "d.csv")
        }
        #expect(throws: LearningError.self) {
            try Folds.checked(labels: [0, 1, 0, 1, 0], classCount: 2, count: 1, seed: 0, source: "d.csv")
        }
    }
}
