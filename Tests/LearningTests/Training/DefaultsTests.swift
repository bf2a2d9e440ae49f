import DataParallel
import Foundation
import Testing
@testable import Learning

/// The defaults train well: with only `data` (and `model.type`) set, the shipped data sets reach
/// the test accuracy scikit-learn's LogisticRegression and MLPClassifier reach on them (about
/// 0.97 on digits, 0.96 on iris over five 75/25 splits; scripts/defaults_vs_sklearn.py and
/// docs/own-data.md compare on more data sets). Under the old "optimal" rate the linear model
/// fell up to 11 points behind on noisy data.
@Suite struct DefaultsTests {
    /// Trains a config that names only the training file and the model type, on minibatch's
    /// own seeded 80/20 split; the test accuracy.
    func testAccuracy(_ file: String, model: String) throws -> Double {
        let json = try JSONParser.parse(Array(#"{"data": {"train": "\#(Repo.path(file))"}, "model": {"type": "\#(model)"}}"#.utf8))
        let config = try Config.decode(json, file: "defaults.json")
        #expect(config.unreadSettings().isEmpty)
        let data = try PreparedData.load(config)
        let result = try fit(config, data: data, pool: try WorkerPool(workers: 2))
        #expect(result.stopReason == .converged, "the defaults stop by tol before the epoch limit")
        return try #require(result.test?.accuracy)
    }

    @Test func linearDefaultsOnDigits() throws {
        #expect(try testAccuracy("data/digits.csv", model: "auto") >= 0.95)
    }

    @Test func linearDefaultsOnIris() throws {
        #expect(try testAccuracy("data/iris.csv", model: "auto") >= 0.9)
    }

    @Test func mlpDefaultsOnDigits() throws {
        #expect(try testAccuracy("data/digits.csv", model: "mlp") >= 0.97)
    }
}
