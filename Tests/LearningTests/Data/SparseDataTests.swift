import DataParallel
import Foundation
import Testing
@testable import Learning

/// The rows as LIBSVM text (1-based indices, values as Swift prints floats, which read back
/// exactly) and as CSV with features named "1" ... "d" and a label column.
enum SparseText {
    static func libsvm(_ data: SparseDataset) -> String {
        (0..<data.count).map { r in
            ([data.classes[Int(data.labels[r])]] + (data.rowOffsets[r]..<data.rowOffsets[r + 1]).map {
                "\(data.columns[$0] + 1):\(data.values[$0])"
            }).joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    static func csv(_ data: SparseDataset) -> String {
        let dense = data.densified()
        let d = data.featureCount
        var out = (dense.featureNames + ["label"]).joined(separator: ",") + "\n"
        for r in 0..<dense.count {
            out += (0..<d).map { "\(dense.features[r * d + $0])" }.joined(separator: ",") + ",\(data.classes[Int(data.labels[r])])\n"
        }
        return out
    }
}

@Suite struct SparseDataTests {
    /// The scale-only standardiser's scales are the population standard deviations of the
    /// dense columns (implicit zeros included), its means 0; dividing stored values gives the
    /// bits of the dense transform with that scaler.
    @Test func scaleOnlyStandardisationIsTheDenseStdWithoutCentring() {
        var data = sparseRows(rows: 200, features: 30, classes: 3, seed: 60, featureCount: 33)  // 3 features never stored
        let dense = data.densified()
        let s = Standardizer(fittingScaleOnly: data)
        let reference = Standardizer(fitting: dense.features, featureCount: 33)
        #expect(s.mean == [Float](repeating: 0, count: 33) && s.isScaleOnly)
        for j in 0..<33 {
            #expect(abs(s.scale[j] - reference.scale[j]) <= 1e-6 * reference.scale[j], "feature \(j)")
        }
        #expect(s.scale[30...].allSatisfy { $0 == 1 }, "a feature that is always 0 keeps scale 1")
        var x = dense.features
        s.transform(&x)
        s.transformScaleOnly(&data)
        #expect(data.densified().features.map(\.bitPattern) == x.map(\.bitPattern))
    }

    @Test func subsetsAndTheDenseCopyCommute() {
        var data = sparseRows(rows: 50, features: 12, classes: 2, seed: 61)
        data.weights = (0..<50).map { Float($0) / 10 }
        let rows = [7, 3, 3, 49, 0]
        let a = data.subset(rows).densified(), b = data.densified().subset(rows)
        #expect(a.features == b.features && a.labels == b.labels && a.weights == b.weights)
        #expect(SparseDataset(data.densified()) == data, "sparse -> dense -> sparse")
    }

    @Test(arguments: [
        ("no stored values", [0, 0, 0], [Int32](), [Float](), true),
        ("only explicit zeros", [0, 1, 2], [0, 0], [0, 0], true),
        ("one value in every row", [0, 1, 2], [1, 1], [2.5, 2.5], true),
        ("a value in some rows only", [0, 1, 1], [1], [2.5], false),
        ("values that differ", [0, 1, 2], [0, 0], [1, 2], false),
    ] as [(String, [Int], [Int32], [Float], Bool)])
    func constantFeatures(name: String, offsets: [Int], columns: [Int32], values: [Float], constant: Bool) {
        let data = SparseDataset(rowOffsets: offsets, columns: columns, values: values, labels: [0, 1], classes: ["a", "b"],
                                 featureCount: 3)
        #expect(data.allFeaturesConstant == constant, "\(name)")
        #expect(PreparedData.allFeaturesConstant(data.densified()) == constant, "\(name): the dense rule agrees")
    }

    @Test(arguments: [
        ("a.npy", DataFormat.npy), ("a.SVM", .libsvm), ("x/y.libsvm", .libsvm), ("t.svmlight", .libsvm), ("a.csv", .csv),
        ("a9a", .csv), ("data.txt", .csv),
    ])
    func formatsByExtension(path: String, format: DataFormat) {
        #expect(DataFormat.auto.resolved(for: path) == format)
        #expect(DataFormat.libsvm.resolved(for: path) == .libsvm && DataFormat.csv.resolved(for: path) == .csv)
    }
}

@Suite struct SparseConfigTests {
    func decode(_ text: String) throws -> Config {
        try Config.decode(try JSONParser.parse(Array(text.utf8)), file: "c.json", baseFolder: "/cfg")
    }

    @Test func formatAndFeaturesKeys() throws {
        let c = try decode(#"{"data": {"train": "t.txt", "test": "u.txt", "format": "libsvm", "features": 100}}"#)
        #expect(c.data.isSparse && c.data.features == 100 && c.data.format == .libsvm)
        #expect(try Config.decode(c.jsonValue, file: "c.json") == { var d = c; d.file = "c.json"; return d }())
        #expect(try decode(#"{"data": {"train": "t.svm"}}"#).data.isSparse)
        #expect(try !decode(#"{"data": {"train": "t.svm", "format": "csv"}}"#).data.isSparse)
        let weighted = try decode(#"{"data": {"train": "t.svm", "train_weights": "w.npy"}}"#)
        #expect(weighted.data.trainWeights == "/cfg/w.npy")
    }

    @Test(arguments: [
        (#""model": {"type": "mlp"}"#, "model.type", "linear models only"),
        (#""training": {"optimizer": "adam"}"#, "training.optimizer", "O(features)"),
        (#""training": {"optimizer": "sgd", "momentum": 0.5}"#, "training.momentum", "O(features)"),
        (#""training": {"momentum": 0.5}"#, "training.momentum", "with \"adagrad\" (it has no momentum)"),
        (#""training": {"average": true}"#, "training.average", "O(features)"),
        (#""training": {"average": 10}"#, "training.average", "O(features)"),
    ])
    func optionsTheSparsePathRejects(member: String, key: String, says: String) {
        #expect {
            _ = try decode(#"{"data": {"train": "t.svm"}, "# + member + "}")
        } throws: { error in
            guard case LearningError.config(_, let k, let message) = error else { return false }
            return k == key && message.contains(says)
        }
    }

    @Test(arguments: [
        (#"{"train": "t.svm", "test": "u.csv"}"#, "data.test"),
        (#"{"train": "t.csv", "test": "u.svm"}"#, "data.test"),
        (#"{"train": "t.csv", "features": 10}"#, "data.features"),
        (#"{"train": "t.svm", "features": 0}"#, "data.features"),
        (#"{"train": "t.svm", "weight": "w"}"#, "data.weight"),
        (#"{"train": "t.svm", "label_column": 0}"#, "data.label_column"),
        (#"{"train": "t.svm", "train_labels": "y.npy"}"#, "data.train_labels"),
        (#"{"train": "t.svm", "format": "arff"}"#, "data.format"),
    ])
    func badDataKeys(data: String, key: String) {
        #expect {
            _ = try decode(#"{"data": "# + data + "}")
        } throws: { error in
            guard case LearningError.config(_, let k, _) = error else { return false }
            return k == key
        }
    }
}

@Suite struct PreparedSparseDataTests {
    func config(_ folder: TempFolder, _ data: String) throws -> Config {
        try Config.decode(try JSONParser.parse(Array(("{\"data\": " + data + "}").utf8)), file: folder.file("c.json"),
                          baseFolder: folder.path)
    }

    /// The same rows as LIBSVM and as CSV: the same seeded test and validation splits, the
    /// same rows in each, and the feature count from the largest index.
    @Test func splitsAreTheDensePathsSplits() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let data = sparseRows(rows: 120, features: 15, classes: 3, seed: 70)
        _ = folder.write("t.svm", SparseText.libsvm(data))
        _ = folder.write("t.csv", SparseText.csv(data))
        for extra in ["", #", "training": {"early_stopping": true}"#] {
            let sparseConfig = try Config.decode(try JSONParser.parse(Array(
                (#"{"data": {"train": "t.svm", "test_fraction": 0.25, "standardize": false}"# + extra + "}").utf8)),
                file: "c.json", baseFolder: folder.path)
            var denseConfig = sparseConfig
            denseConfig.data.train = folder.file("t.csv")
            let s = try PreparedSparseData.load(sparseConfig), d = try PreparedData.load(denseConfig)
            #expect(s.train.featureCount == 15 && s.train.featureNames == d.train.featureNames)
            #expect(s.train.densified().features == d.train.features && s.train.labels == d.train.labels)
            #expect(s.test!.densified().features == d.test!.features)
            #expect(s.validation?.densified().features == d.validation?.features)
        }
    }

    @Test func featureCountAndIndicesBeyondIt() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        _ = folder.write("t.svm", "1 1:1 4:2\n2 2:1\n1 3:5 # a comment\n2 4:1\n")
        _ = folder.write("big.svm", "1 1:1\n2 9:1\n")
        #expect(try PreparedSparseData.load(config(folder, #"{"train": "t.svm", "test_fraction": 0}"#)).train.featureCount == 4)
        let fixed = try PreparedSparseData.load(config(folder, #"{"train": "t.svm", "test_fraction": 0, "features": 50, "standardize": true}"#))
        #expect(fixed.train.featureCount == 50 && fixed.scaler!.scale.count == 50)
        for (data, file) in [(#"{"train": "t.svm", "features": 3}"#, "t.svm:1:"), (#"{"train": "t.svm", "test": "big.svm"}"#, "big.svm:2:")] {
            #expect {
                _ = try PreparedSparseData.load(config(folder, data))
            } throws: { error in
                guard case LearningError.data = error else { return false }
                return (error as! LearningError).description.contains(file) && "\(error)".contains("feature index")
            }
        }
    }
}

@Suite struct SparseScoringTests {
    /// A model scores LIBSVM rows on the CSR path as it scores the same rows as CSV (dense),
    /// with a scale-only scaler and with a centring one (its means go into the bias).
    @Test(arguments: [false, true])
    func sparseScoresAreTheDenseScores(centring: Bool) throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let data = sparseRows(rows: 80, features: 9, classes: 3, seed: 80)
        _ = folder.write("x.svm", SparseText.libsvm(data))
        _ = folder.write("x.csv", SparseText.csv(data))
        var rng = SplitMix64(seed: 81)
        let model = LinearModel(kind: .softmax, featureCount: 9, classCount: 3,
                                weights: (0..<27).map { _ in Float(rng.nextGaussian()) }, bias: [0.1, -0.2, 0.3])
        let scaler = centring ? Standardizer(fitting: data.densified().features, featureCount: 9)
                              : Standardizer(fittingScaleOnly: data)
        let saved = SavedModel(model: model, classes: data.classes, featureNames: data.featureNames, label: "label",
                               scaler: scaler)
        let pool = try WorkerPool(workers: 2)
        let (input, hasLabels) = try saved.loadInput(path: folder.file("x.svm"))
        guard case .sparse = input else {
            Issue.record("LIBSVM input was not kept sparse")
            return
        }
        #expect(hasLabels)
        let sparse = saved.score(input, pool: pool)
        let dense = saved.model.score(try saved.loadData(path: folder.file("x.csv")).data, pool: pool)
        #expect(sparse.predicted == dense.predicted)
        #expect(relativeGap(sparse.probabilities, dense.probabilities) <= 1e-5)
        // loadData reads the LIBSVM file as dense rows too.
        #expect(try saved.loadData(path: folder.file("x.svm")).data.features == saved.loadData(path: folder.file("x.csv")).data.features)
    }

    @Test func libsvmInputErrors() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        _ = folder.write("x.svm", "1 1:1\n2 3:1 5:2\n")
        let linear = SavedModel(model: LinearModel(kind: .logistic, featureCount: 4, classCount: 2), classes: ["1", "2"],
                                featureNames: ["1", "2", "3", "4"], label: "label", scaler: nil)
        #expect(throws: LearningError.data(file: folder.file("x.svm"), line: 2,
                                           message: "feature index 5 is above the 4 features expected")) {
            _ = try linear.loadInput(path: folder.file("x.svm"))
        }
        let net = SavedModel(model: .mlp(MLP(featureCount: 5, hidden: [3], activation: .relu, classCount: 2)),
                             classes: ["1", "2"], featureNames: ["1", "2", "3", "4", "5"], label: "label", scaler: nil)
        #expect {
            _ = try net.loadInput(path: folder.file("x.svm"))
        } throws: { "\($0)".contains("linear models only") }
    }
}
