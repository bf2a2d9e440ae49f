import DataParallel
import Foundation
import Testing
@testable import Learning

@Suite struct ModelFileTests {
    func sample() -> SavedModel {
        var g = SplitMix64(seed: 1)
        var w = (0..<9).map { _ in Float(g.nextGaussian()) * 1e-3 + Float(g.nextGaussian()) }
        w[0] = .leastNonzeroMagnitude
        w[1] = -.greatestFiniteMagnitude
        let m = LinearModel(kind: .softmax, featureCount: 3, classCount: 3, weights: w, bias: [0.5, -1e-20, 3])
        return SavedModel(model: m, classes: ["a", "b", "c, d"], featureNames: ["x", "y", "z"], label: "label",
                          scaler: Standardizer(mean: [0.1, 0.2, 0.3], scale: [1, 2, 3]))
    }

    @Test func roundTripKeepsEveryBit() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let s = sample()
        try s.write(to: dir.file("model.json"))
        let back = try SavedModel.read(path: dir.file("model.json"))
        #expect(back.model.parameters.map(\.bitPattern) == s.model.parameters.map(\.bitPattern))
        #expect(back.model.linear?.kind == .softmax && back.classes == s.classes && back.featureNames == s.featureNames)
        #expect(back.scaler == s.scaler)
        // No temporary file is left next to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.json"])
    }

    func modelError(_ mutate: (inout [(key: String, value: JSONValue)]) -> Void) -> String? {
        guard case .object(var members) = sample().jsonValue else { return nil }
        mutate(&members)
        do { _ = try SavedModel.decode(.object(members), file: "m.json"); return nil } catch {
            return error.description
        }
    }

    func replacing(_ key: String, _ value: JSONValue) -> (inout [(key: String, value: JSONValue)]) -> Void {
        { members in members = members.map { $0.key == key ? (key, value) : $0 } }
    }

    @Test func shapesAndVersionAreChecked() throws {
        #expect(try #require(modelError(replacing("version", .number(2)))).contains("newer"))
        #expect(try #require(modelError(replacing("format", .string("other")))).contains("not a model file"))
        #expect(try #require(modelError(replacing("bias", .array([.number(1)])))).contains("\"bias\" has 1 values, expected 3"))
        #expect(try #require(modelError(replacing("weights", .array([.array([.number(1)])])))).contains("3 rows"))
        #expect(try #require(modelError(replacing("classes", .array([.string("a")])))).contains("two distinct"))
        #expect(modelError(replacing("feature_names", .array([.string("x")]))) != nil)
        #expect(try #require(modelError(replacing("scaler", .object([("mean", .array([])), ("scale", .array([]))])))).contains("scaler.mean"))
        #expect(modelError { _ in } == nil)
    }

    @Test func theScalerKeyIsRequiredButMayBeNull() throws {
        // Without the key the model would score raw features with weights fitted to standardised ones.
        #expect(try #require(modelError { $0.removeAll { $0.key == "scaler" } }).contains("\"scaler\" is missing"))
        #expect(modelError(replacing("scaler", .null)) == nil)
    }

    @Test func truncatedFileIsAnError() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let text = sample().jsonValue.prettyText()
        let path = dir.write("m.json", String(text.prefix(text.count / 2)))
        #expect {
            try SavedModel.read(path: path)
        } throws: { e in
            guard case .modelFile(let file, let message) = e as? LearningError else { return false }
            return file == path && message.contains("JSON error")
        }
    }

    @Test func loadDataMatchesColumnsByNameAndStandardises() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let s = sample()
        let path = dir.write("d.csv", "z,label,x,y\n3,b,1.1,2.2\n6,zzz,0.1,0.2\n")
        let (data, hasLabels) = try s.loadData(path: path)
        #expect(hasLabels)
        // x: (1.1 - 0.1) / 1, y: (2.2 - 0.2) / 2, z: (3 - 0.3) / 3.
        #expect(abs(data.features[0] - 1) < 1e-6 && abs(data.features[1] - 1) < 1e-6 && abs(data.features[2] - 0.9) < 1e-6)
        #expect(data.labels == [1, -1] && data.unseenLabels == ["zzz"])
        let missing = dir.write("e.csv", "x,y\n1,2\n")
        #expect(throws: LearningError.self) { try s.loadData(path: missing) }
    }
}

@Suite struct EvaluationTests {
    @Test func accuracyLogLossAndConfusion() throws {
        var data = Dataset(features: [0, 0, 0, 0], labels: [0, 1, 1, -1], classes: ["a", "b"], featureNames: ["x"])
        data.unseenLabels = ["c"]
        // p(b) = 0.8 for rows 0-2 (predict b), and 0.3 for row 3 (predict a).
        let scores = Scores(probabilities: [0.2, 0.8, 0.2, 0.8, 0.2, 0.8, 0.7, 0.3],
                            losses: [-log(0.2), -log(0.8), -log(0.8), .nan], predicted: [1, 1, 1, 0])
        let e = Evaluation(scores: scores, data: data)
        #expect(e.accuracy == 0.5)
        #expect(abs(e.logLoss - (-log(0.2) - 2 * log(0.8)) / 3) < 1e-12)
        #expect(e.confusion == [[0, 1], [0, 2], [1, 0]])
        #expect(e.trueLabels == ["a", "b", "c"] && e.unseenCount == 1)
        // a: TP 0 of 1 predicted (the unseen row) and 1 labelled -> 0, 0, 0.
        // b: TP 2 of 3 predicted and 2 labelled -> precision 2/3, recall 1, F1 2 (2/3) / (5/3) = 0.8.
        let s = e.classScores
        #expect(s[0] == ClassScores(precision: 0, recall: 0, f1: 0, support: 1))
        #expect(abs(s[1].precision - 2.0 / 3) < 1e-12 && s[1].recall == 1 && abs(s[1].f1 - 0.8) < 1e-12 && s[1].support == 2)
        // Macro: means (1/3, 1/2, 0.4); weighted by supports 1 and 2: (4/9, 2/3, 1.6/3).
        let m = e.macroAverage, w = e.weightedAverage
        #expect(abs(m.precision - 1.0 / 3) < 1e-12 && abs(m.recall - 0.5) < 1e-12 && abs(m.f1 - 0.4) < 1e-12)
        #expect(abs(w.precision - 4.0 / 9) < 1e-12 && abs(w.recall - 2.0 / 3) < 1e-12 && abs(w.f1 - 1.6 / 3) < 1e-12)
        #expect(w.support == 3)
    }
}

@Suite struct TrainingJobTests {
    /// The shipped digits config reaches test accuracy >= 0.95.
    @Test func digitsConfigReachesTheTargetAccuracy() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var config = try Config.load(path: Repo.path("configs/digits.json"))
        config.outputDir = dir.path
        let summary = try TrainingJob.run(config)
        #expect(try #require(summary.testAccuracy) >= 0.95)
        #expect(summary.objective > summary.trainLoss)
        let saved = try SavedModel.read(path: summary.modelPath)
        #expect(saved.classes == (0...9).map(String.init))
        let lines = try String(contentsOfFile: dir.file("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == summary.epochs)
    }
}

@Suite struct WarmStartTests {
    /// Two-class CSV rows: label 'b' when x + y > 0.
    func csv(_ rows: Int, seed: UInt64, columns: (String, String) = ("x", "y"), labels: (String, String) = ("a", "b")) -> String {
        var g = SplitMix64(seed: seed)
        var text = "\(columns.0),\(columns.1),label\n"
        for _ in 0..<rows {
            let x = g.nextGaussian(), y = g.nextGaussian()
            let (first, second) = columns.0 == "x" ? (x, y) : (y, x)
            text += "\(first),\(second),\(x + y > 0 ? labels.1 : labels.0)\n"
        }
        return text
    }

    func config(_ dir: TempFolder, train: String, epochs: Int) -> Config {
        var c = Config()
        c.data.train = dir.file(train)
        c.data.testFraction = 0
        c.training.epochs = epochs
        c.training.tol = nil
        c.training.learningRate = .constant
        c.training.eta0 = 0.1
        c.workers = 2
        c.outputDir = dir.file("out-\(train)")
        return c
    }

    @Test func continuingEqualsOneLongerRunWhenNothingElseChanges() throws {
        // Without shuffling, 3 epochs then 2 more from the saved model take the same steps as
        // 5 epochs in one run, except that the schedule's t restarts (constant rate: no effect).
        let dir = TempFolder()
        defer { dir.cleanup() }
        _ = dir.write("a.csv", csv(200, seed: 1))
        var c = config(dir, train: "a.csv", epochs: 3)
        c.training.shuffle = false
        c.data.standardize = false
        let first = try TrainingJob.run(c)
        var more = c
        more.training.epochs = 2
        more.outputDir = dir.file("out-more")
        let second = try TrainingJob.run(more, initModel: first.modelPath)
        var whole = c
        whole.training.epochs = 5
        whole.outputDir = dir.file("out-whole")
        let once = try TrainingJob.run(whole)
        let a = try SavedModel.read(path: second.modelPath).model.parameters
        let b = try SavedModel.read(path: once.modelPath).model.parameters
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    }

    @Test func theModelsColumnsClassesAndScalerAreKept() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        _ = dir.write("a.csv", csv(200, seed: 1))
        let first = try TrainingJob.run(config(dir, train: "a.csv", epochs: 2))
        let saved = try SavedModel.read(path: first.modelPath)
        // New data with the columns swapped and only one class: fine, classes come from the model.
        _ = dir.write("b.csv", csv(50, seed: 2, columns: ("y", "x"), labels: ("b", "b")))
        let next = try TrainingJob.run(config(dir, train: "b.csv", epochs: 1), initModel: first.modelPath)
        let continued = try SavedModel.read(path: next.modelPath)
        #expect(continued.classes == saved.classes && continued.featureNames == ["x", "y"])
        #expect(continued.scaler == saved.scaler)
        // A label the model never saw, or other feature names: clear errors.
        _ = dir.write("c.csv", csv(50, seed: 3, labels: ("a", "z")))
        #expect {
            try TrainingJob.run(config(dir, train: "c.csv", epochs: 1), initModel: first.modelPath)
        } throws: { e in
            guard case .data(_, _, let m) = e as? LearningError else { return false }
            return m.contains("label 'z' is not a class of the model")
        }
        _ = dir.write("d.csv", csv(50, seed: 3, columns: ("u", "v")))
        #expect {
            try TrainingJob.run(config(dir, train: "d.csv", epochs: 1), initModel: first.modelPath)
        } throws: { e in
            guard case .data(_, _, let m) = e as? LearningError else { return false }
            return m.contains("differ from the model's")
        }
    }
}

/// The model file's text is written without a JSON tree of the weights (``SavedModel/fileText``):
/// the same bytes as the tree's pretty text, for every kind of model.
@Suite struct ModelFileTextTests {
    func saved(_ model: Model, features: Int) -> SavedModel {
        SavedModel(model: model, classes: ["a", "b", "c"].prefix(model.classCount).map { $0 },
                   featureNames: (0..<features).map { "x\($0)" }, label: "y", scaler: nil,
                   config: .object([("data", .object([("train", .string("t.csv"))]))]))
    }

    @Test func fileTextIsThePrettyTextOfTheTree() {
        var rng = SplitMix64(seed: 5)
        var linear = LinearModel(kind: .softmax, featureCount: 7, classCount: 3)
        for i in linear.parameters.indices { linear.parameters[i] = Float(rng.nextGaussian()) * (i % 4 == 0 ? 1e-9 : 3) }
        linear.parameters[0] = -0.0
        var logistic = LinearModel(kind: .logistic, featureCount: 2, classCount: 2)
        for i in logistic.parameters.indices { logistic.parameters[i] = Float(i) - 0.5 }
        let mlp = MLP(featureCount: 5, hidden: [4, 3], activation: .tanh, classCount: 3).initialized(seed: 2)
        for (model, d) in [(Model.linear(linear), 7), (.linear(logistic), 2), (.mlp(mlp), 5)] {
            let s = saved(model, features: d)
            #expect(s.fileText == s.jsonValue.prettyText() + "\n")
            // The tree without the weights has every other member.
            if case .object(let members) = s.jsonValueWithoutWeights, case .object(let full) = s.jsonValue {
                #expect(members.map(\.key) == full.map(\.key))
            } else {
                Issue.record("not an object")
            }
        }
    }
}
