import DataParallel
import Foundation
import Testing
@testable import Learning

/// Confusion matrices of many classes: kept as their non-zero cells, scored per class in one
/// pass, stored sparsely in model.json, summarised in report.html; scoring checks its memory.
@Suite struct ManyClassesTests {
    /// n rows over k classes: row i has label i mod k and is predicted as (i * 7) mod k, or as
    /// its label when i is even.
    func evaluation(rows n: Int, classes k: Int) -> Evaluation {
        let labels = (0..<n).map { Int32($0 % k) }
        let predicted = (0..<n).map { Int32($0 % 2 == 0 ? $0 % k : ($0 * 7) % k) }
        let scores = Scores(probabilities: [Float](repeating: 0, count: 0), losses: [Double](repeating: 0.5, count: n),
                            predicted: predicted)
        return Evaluation(scores: scores, labels: labels, classes: (0..<k).map { "c\($0)" }, unseenLabels: [])
    }

    @Test("class scores from the cells equal those of a dense matrix counted by hand")
    func classScoresMatchADenseReference() {
        let n = 997, k = 31
        let e = evaluation(rows: n, classes: k)
        var dense = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for i in 0..<n { dense[i % k][i % 2 == 0 ? i % k : (i * 7) % k] += 1 }
        #expect(e.confusion == dense)
        #expect(e.cells.reduce(0) { $0 + $1.count } == n && e.cells.allSatisfy { $0.count > 0 })
        for c in 0..<k {
            let tp = Double(dense[c][c]), support = Double(dense[c].reduce(0, +)), predicted = Double(dense.map { $0[c] }.reduce(0, +))
            let p = predicted > 0 ? tp / predicted : 0, r = support > 0 ? tp / support : 0
            #expect(abs(e.classScores[c].precision - p) <= 1e-15 && abs(e.classScores[c].recall - r) <= 1e-15)
            #expect(e.classScores[c].support == Int(support))
        }
    }

    @Test("100,000 classes: no dense matrix, model.json holds the non-zero cells, which read back")
    func hundredThousandClasses() throws {
        let n = 200_000, k = 100_000
        let e = evaluation(rows: n, classes: k)
        #expect(!e.isSmall)
        #expect(e.cells.count <= n)
        let json = e.recordJSON(set: "test")
        #expect(json["confusion_matrix"] == nil)
        guard case .array(let entries)? = json["confusion_entries"] else { Issue.record("no confusion_entries"); return }
        #expect(entries.count == e.cells.count)
        // The record reads back with the same cells.
        var saved = JSONValue.object([
            ("format", .string("minibatch-model")), ("version", .number(1)), ("model", .object([("type", .string("softmax"))])),
            ("classes", .array((0..<k).map { .string("c\($0)") })), ("feature_names", .array([.string("x")])),
            ("evaluation", json),
        ])
        var record = try RunRecord.decode(saved, file: "m.json")
        #expect(record.evaluation?.cells == e.cells)
        // A cell out of order or out of range is an error naming it.
        guard case .object(var members) = saved, case .object(var ev) = json else { return }
        ev = ev.map { $0.key == "confusion_entries" ? ($0.key, .array([.array([.number(Double(k)), .number(0), .number(1)])])) : $0 }
        members = members.map { $0.key == "evaluation" ? ($0.key, .object(ev)) : $0 }
        saved = .object(members)
        #expect(throws: LearningError.self) { record = try RunRecord.decode(saved, file: "m.json") }
        // The report's summary: a binned map and the largest confusions, small.
        let summary = ConfusionSummary(record: try #require(RunRecord.decode(
            .object([("format", .string("minibatch-model")), ("version", .number(1)),
                     ("model", .object([("type", .string("softmax"))])),
                     ("classes", .array((0..<k).map { .string("c\($0)") })), ("feature_names", .array([.string("x")])),
                     ("evaluation", json)]), file: "m.json").evaluation), bins: 50).html()
        #expect(summary.count < 1_000_000, "\(summary.count) bytes")
        #expect(summary.contains("id=\"top-confusions\"") && summary.contains("blocks of 2000 consecutive classes"))
    }

    @Test("scoring checks rows x classes against the memory; the final evaluation names data.synthetic.classes")
    func scoringMemory() throws {
        #expect(MemoryBudget.scoringBytes(rows: 100_000, classes: 100_000) >= 4e10)
        var config = Config()
        config.file = "run.json"
        var spec = SyntheticSpec()
        spec.samples = 300
        spec.classes = 3
        config.data.synthetic = spec
        let data = try PreparedData.load(config, pool: WorkerPool(workers: 1))
        // The largest split, 240 training rows (test_fraction 0.2), x (3 x 4 + 12) bytes: 5,760 bytes.
        #expect(throws: Never.self) { try TrainingJob.checkScoringMemory(config, data: data, available: 1e6) }
        #expect {
            try TrainingJob.checkScoringMemory(config, data: data, available: 1000)
        } throws: { error in
            (error as? LearningError).map { if case .config(_, "data.synthetic.classes", let m) = $0 { m.contains("scoring 240 rows for 3 classes") } else { false } } ?? false
        }
    }
}
