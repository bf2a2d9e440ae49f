import Testing
@testable import Learning

/// `training.class_weight`, `data.weight` and `data.train_weights` in configs, and how class
/// and sample weights combine into row weights.
@Suite struct SampleWeightConfigTests {
    func decode(_ text: String, base: String = "") throws -> Config {
        try Config.decode(try JSONParser.parse(Array(text.utf8)), file: "c.json", baseFolder: base)
    }

    func configError(_ text: String) -> (key: String, message: String)? {
        do {
            _ = try decode(text)
            return nil
        } catch let e as LearningError {
            if case .config(_, let key, let message) = e { return (key, message) }
            return nil
        } catch { return nil }
    }

    @Test func keysAreReadAndRoundTripThroughTheResolvedConfig() throws {
        let none = try decode(#"{"data": {"train": "a.csv"}}"#)
        #expect(none.training.classWeight == nil && none.data.weight == nil && none.data.trainWeights == nil)
        #expect(try decode(#"{"data": {"train": "a.csv", "weight": null}, "training": {"class_weight": null}}"#) == none)

        let balanced = try decode(#"{"data": {"train": "a.csv", "weight": "w"}, "training": {"class_weight": "balanced"}}"#)
        #expect(balanced.training.classWeight == .balanced && balanced.data.weight == "w")

        let given = try decode(#"{"data": {"train": "a.csv"}, "training": {"class_weight": {"cat": 2.5, "7": 0.5}}}"#)
        #expect(given.training.classWeight == .given([LabelWeight(label: "cat", weight: 2.5), LabelWeight(label: "7", weight: 0.5)]))

        let npy = try decode(#"{"data": {"train": "x.npy", "train_labels": "y.npy", "train_weights": "w.npy"}}"#, base: "/cfg")
        #expect(npy.data.trainWeights == "/cfg/w.npy")

        for c in [none, balanced, given, npy] {
            #expect(try Config.decode(c.jsonValue, file: "c.json") == c)
        }
    }

    @Test(arguments: [
        (#"{"class_weight": "auto"}"#, "training.class_weight", "\"auto\" is not allowed"),
        (#"{"class_weight": 2}"#, "training.class_weight", "expected \"balanced\", an object of label: weight, or null"),
        (#"{"class_weight": ["a"]}"#, "training.class_weight", "found an array"),
        (#"{"class_weight": {"a": 0}}"#, "training.class_weight.a", "out of range; allowed: a float32 number > 0"),
        (#"{"class_weight": {"a": 1, "b": -2}}"#, "training.class_weight.b", "out of range"),
        (#"{"class_weight": {"yes": "2"}}"#, "training.class_weight.yes", "found a string"),
        (#"{"class_weight": {"a": 1e39}}"#, "training.class_weight.a", "out of range"),
    ])
    func badClassWeightsNameTheKey(training: String, key: String, fragment: String) throws {
        let e = try #require(configError(#"{"data": {"train": "a.csv"}, "training": "# + training + "}"))
        #expect(e.key == key)
        #expect(e.message.contains(fragment), "message: \(e.message)")
    }

    @Test(arguments: [
        (#"{"train": "a.csv", "weight": ""}"#, "data.weight", "must not be empty"),
        (#"{"train": "a.csv", "weight": 3}"#, "data.weight", "expected a string"),
        (#"{"train": "a.csv", "label": "y", "weight": "y"}"#, "data.weight", "is the label column"),
        (#"{"synthetic": {}, "weight": "w"}"#, "data.weight", "synthetic data has no weight column"),
        (#"{"train": "x.npy", "train_labels": "y.npy", "weight": "w"}"#, "data.weight", "data.train_weights"),
        (#"{"train": "a.csv", "train_weights": "w.npy"}"#, "data.train_weights", "only for .npy training data"),
        (#"{"synthetic": {}, "train_weights": "w.npy"}"#, "data.train_weights", "only for .npy training data"),
    ])
    func badWeightSourcesNameTheKey(data: String, key: String, fragment: String) throws {
        let e = try #require(configError(#"{"data": "# + data + "}"))
        #expect(e.key == key)
        #expect(e.message.contains(fragment), "message: \(e.message)")
    }

    @Test func balancedWeighsEveryClassTheSameInTotal() {
        // scikit-learn's n / (K n_c): 100 rows, 95 and 5.
        let w = ClassWeight.balanced.perClass(classes: ["a", "b"], counts: [95, 5])
        #expect(w == [Float(100.0 / 190.0), 10])
        // Three classes; a class without rows weighs 1 and does not count in K.
        let v = ClassWeight.balanced.perClass(classes: ["a", "b", "c", "d"], counts: [10, 30, 0, 20])
        #expect(v == [Float(60.0 / 30.0), Float(60.0 / 90.0), 1, Float(60.0 / 60.0)])
        #expect(abs(Double(v[0]) * 10 - Double(v[1]) * 30) < 1e-5)
    }

    @Test func givenWeightsDefaultToOne() {
        let w = ClassWeight.given([LabelWeight(label: "c", weight: 3), LabelWeight(label: "a", weight: 0.25)])
        #expect(w.perClass(classes: ["a", "b", "c"], counts: [1, 1, 1]) == [0.25, 1, 3])
    }

    @Test func aRowWeighsItsSampleWeightTimesItsClassWeight() {
        var data = Dataset(features: [Float](repeating: 0, count: 5), labels: [0, 1, 1, 0, 1], classes: ["n", "y"],
                           featureNames: ["x"])
        var o = TrainingOptions()
        #expect(o.rowWeights(for: data) == nil)
        data.weights = [1, 2, 0, 0.5, 4]
        #expect(o.rowWeights(for: data) == [1, 2, 0, 0.5, 4])
        o.classWeight = .given([LabelWeight(label: "y", weight: 3)])
        #expect(o.rowWeights(for: data) == [1, 6, 0, 0.5, 12])
        // "balanced" counts the rows of the whole training split: the training rows and the
        // validation rows held out of them.
        o.classWeight = .balanced
        data.weights = nil
        #expect(o.rowWeights(for: data) == [1.25, Float(5.0 / 6.0), Float(5.0 / 6.0), 1.25, Float(5.0 / 6.0)])
        let heldOut = Dataset(features: [0, 0, 0], labels: [0, 0, 0], classes: ["n", "y"], featureNames: ["x"])
        // n = 8: 5 of class n, 3 of class y.
        #expect(o.rowWeights(for: data, heldOut: heldOut) == [0.8, Float(8.0 / 6.0), Float(8.0 / 6.0), 0.8, Float(8.0 / 6.0)])
    }
}
