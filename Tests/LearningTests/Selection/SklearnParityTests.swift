import DataParallel
import Foundation
import Testing
@testable import Learning

/// Cross-validated scores match scikit-learn's on the same folds: full-batch steps trained
/// to convergence reach LogisticRegression's optimum (C = 1 / (n_fold_train alpha)) on every
/// fold, so each candidate's mean validation log loss matches the reference that
/// scripts/cv_reference.py computed from the folds minibatch exported (`cv --save-folds`).
@Suite struct SklearnParityTests {
    @Test func meanValidationLogLossMatchesLogisticRegression() throws {
        let fixture = try JSONParser.parse([UInt8](try Data(contentsOf: Repo.root.appendingPathComponent(
            "Tests/LearningTests/Fixtures/cv_reference.json"))))
        guard case .string(let configPath)? = fixture["config"], case .string(let gridPath)? = fixture["grid"],
              case .array(let rows)? = fixture["train_rows"], case .array(let fold)? = fixture["fold"],
              case .array(let means)? = fixture["mean_log_loss"], case .number(let k)? = fixture["folds"]
        else { Issue.record("malformed fixture"); return }

        let config = try Config.load(path: Repo.path(configPath))
        let data = try SearchData(try LoadedData<Dataset>.read(config), base: config)
        let folds = Folds(labels: data.train.labels, classCount: data.train.classes.count, count: Int(k),
                          seed: config.training.seed)
        // The folds are the ones the reference was computed on (else: rerun the script).
        #expect(data.trainRows.map { JSONValue.number(Double($0)) } == rows)
        #expect(folds.assignment.map { JSONValue.number(Double($0)) } == fold)

        let candidates = try SearchSpace.load(path: Repo.path(gridPath)).candidates(base: config)
        let result = try ModelSearch(candidates: candidates, data: data, folds: folds).run(workers: 2)
        #expect(means.count == candidates.count)
        for (c, reference) in means.enumerated() {
            guard case .number(let expected) = reference else { continue }
            let got = try #require(result.scores[c]?.meanLogLoss)
            #expect(abs(got - expected) / expected < 1e-3,
                    "alpha \(candidates[c].config.training.alpha): \(got) vs scikit-learn \(expected)")
        }
    }
}
