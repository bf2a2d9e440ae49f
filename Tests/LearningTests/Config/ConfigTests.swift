import Testing
@testable import Learning

@Suite struct ConfigTests {
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

    @Test func defaultsFollowTheReadme() throws {
        let c = try decode(#"{"data": {"train": "x.csv"}}"#)
        #expect(c.data.label == "label" && c.data.testFraction == 0.2 && c.data.standardize)
        #expect(c.modelType == .auto && c.workers == 0 && c.outputDir == nil)
        let t = c.training
        // A linear model: plain sgd with the "adaptive" rate from 0.1 (docs/own-data.md measures it).
        #expect(t.batchSize == 32 && t.epochs == 1000 && t.learningRate == .adaptive && t.eta0 == 0.1)
        #expect(t.powerT == 0.5 && t.penalty == .l2 && t.alpha == 0.0001 && t.tol == 0.0001)
        #expect(t.nIterNoChange == 5 && t.shuffle && t.seed == 0 && t.optimizer == .sgd)
        #expect(t == TrainingOptions())
    }

    /// The defaults follow what is trained: an mlp gets MLPClassifier's adam at a constant 0.001
    /// and 10 epochs without change; adam and momentum a constant rate; keys given win.
    @Test func defaultsDependOnWhatIsTrained() throws {
        let mlp = try decode(#"{"data": {"train": "x.csv"}, "model": {"type": "mlp"}}"#).training
        #expect(mlp.optimizer == .adam && mlp.learningRate == .constant && mlp.eta0 == 0.001 && mlp.nIterNoChange == 10)
        let adam = try decode(#"{"data": {"train": "x.csv"}, "training": {"optimizer": "adam"}}"#).training
        #expect(adam.optimizer == .adam && adam.learningRate == .constant && adam.eta0 == 0.001 && adam.nIterNoChange == 5)
        let momentum = try decode(#"{"data": {"train": "x.csv"}, "training": {"momentum": 0.9}}"#).training
        #expect(momentum.optimizer == .sgd && momentum.learningRate == .constant && momentum.eta0 == 0.01)
        let mlpSGD = try decode(#"{"data": {"train": "x.csv"}, "model": {"type": "mlp"}, "training": {"optimizer": "sgd"}}"#)
        #expect(mlpSGD.training.learningRate == .constant && mlpSGD.training.eta0 == 0.01)
        let given = try decode(#"{"data": {"train": "x.csv"}, "model": {"type": "mlp"}, "training": {"eta0": 0.01, "learning_rate": "invscaling"}}"#)
        #expect(given.training.optimizer == .adam && given.training.eta0 == 0.01 && given.training.learningRate == .invscaling)
    }

    /// LIBSVM data (docs/sparse.md): no standardisation unless asked, adagrad at a constant
    /// rate; ftrl or sgd named get their own defaults; CSV data keeps the dense defaults.
    @Test func sparseDataHasItsOwnDefaults() throws {
        let c = try decode(#"{"data": {"train": "x.svm"}}"#)
        #expect(!c.data.standardize)
        #expect(c.training.optimizer == .adagrad && c.training.learningRate == .constant)
        #expect(c.training.eta0 == TrainingOptions.sparseAdaGradRate && c.training.ftrlBeta == 1)
        #expect(c.training.batchSize == 256 && TrainingOptions.sparseBatchSize == 256)
        #expect(try decode(#"{"data": {"train": "x.svm"}, "training": {"batch_size": 32}}"#).training.batchSize == 32)
        #expect(try decode(#"{"data": {"train": "x.svm", "standardize": true}}"#).data.standardize)
        let ftrl = try decode(#"{"data": {"train": "x.svm"}, "training": {"optimizer": "ftrl"}}"#).training
        #expect(ftrl.optimizer == .ftrl && ftrl.learningRate == .constant && ftrl.eta0 == TrainingOptions.sparseFTRLRate)
        #expect(ftrl.batchSize == 256)
        let sgd = try decode(#"{"data": {"train": "x.svm"}, "training": {"optimizer": "sgd"}}"#).training
        #expect(sgd == TrainingOptions())
        let text = try decode(#"{"data": {"train": "x.txt", "format": "libsvm"}}"#)
        #expect(!text.data.standardize && text.training.optimizer == .adagrad)
        // The resolved config (what --print-config writes) reads back as itself, without warnings.
        let again = try Config.decode(c.jsonValue, file: "c.json")
        #expect(again == c && again.unreadSettings().isEmpty)
        // Keys of another optimizer are named.
        let warned = try decode(#"{"data": {"train": "x.svm"}, "training": {"ftrl_beta": 2, "beta1": 0.5}}"#).unreadSettings()
        #expect(warned.count == 2 && warned[1].hasPrefix("training.ftrl_beta = 2 is not read"), "\(warned)")
        #expect(try decode(#"{"data": {"train": "x.svm"}, "training": {"epsilon": 0.1}}"#).unreadSettings().isEmpty)
    }

    /// A key the chosen settings never read, set to something else than its default, gets one
    /// warning naming it and why; a default value (as the full resolved config writes) gets none.
    @Test func unreadKeysAreNamedOnce() throws {
        func warnings(_ training: String, model: String = "auto") throws -> [String] {
            try decode(#"{"data": {"train": "x.csv"}, "model": {"type": "\#(model)"}, "training": \#(training)}"#).unreadSettings()
        }
        #expect(try warnings(#"{"learning_rate": "optimal", "eta0": 0.05}"#).count == 1)
        #expect(try warnings(#"{"learning_rate": "optimal", "eta0": 0.05}"#).first?.hasPrefix("training.eta0 = 0.05 is not read") == true)
        #expect(try warnings(#"{"learning_rate": "optimal"}"#).isEmpty)
        #expect(try warnings(#"{"power_t": 0.25}"#).first?.hasPrefix("training.power_t") == true)
        #expect(try warnings(#"{"learning_rate": "invscaling", "power_t": 0.25}"#).isEmpty)
        #expect(try warnings(#"{"beta1": 0.8}"#).first?.hasPrefix("training.beta1") == true)
        #expect(try warnings(#"{"optimizer": "adam", "beta1": 0.8}"#).isEmpty)
        #expect(try warnings(#"{"optimizer": "adam", "momentum": 0.5}"#).first?.hasPrefix("training.momentum") == true)
        #expect(try warnings(#"{"l1_ratio": 0.5}"#).first?.hasPrefix("training.l1_ratio") == true)
        #expect(try warnings(#"{"penalty": "elasticnet", "l1_ratio": 0.5}"#).isEmpty)
        #expect(try warnings(#"{"validation_fraction": 0.2}"#).count == 1)
        #expect(try warnings("{}", model: "mlp").isEmpty)
        // The full resolved config of a run reads back without a warning.
        let c = try decode(#"{"data": {"train": "x.csv"}, "model": {"type": "mlp"}}"#)
        #expect(try Config.decode(c.jsonValue, file: "c.json").unreadSettings().isEmpty)
    }

    @Test func theResolvedConfigReadsBackAsTheSameConfig() throws {
        // Model files store config.jsonValue; read as a config it must give the same run
        // (found by the config fuzz target: a synthetic run's "train": null was rejected).
        for text in [
            #"{"data": {"synthetic": {"samples": 50, "features": 3, "classes": 2}}, "training": {"average": 10}}"#,
            #"{"data": {"train": "a.csv", "test": "b.csv"}, "training": {"tol": null, "max_seconds": 2}, "workers": 3}"#,
            #"{"data": {"train": "x.npy", "train_labels": "y.npy", "label_column": null}, "output": {"dir": "o"}}"#,
            #"{"data": {"train": "a.csv"}, "training": {"optimizer": "adam", "beta1": 0.8}}"#,
        ] {
            let c = try decode(text)
            #expect(try Config.decode(c.jsonValue, file: "c.json") == c, "\(text)")
        }
        #expect(try decode(#"{"data": {"train": null, "synthetic": {}}}"#).data.train == nil)
        #expect(configError(#"{"data": {"train": null}}"#)?.key == "data.train")
        // adam does not read sgd's momentum: a warning (see unreadKeysAreNamedOnce), not an error.
        #expect(configError(#"{"data": {"train": "a"}, "training": {"optimizer": "adam", "momentum": 0.5}}"#) == nil)
        #expect(configError(#"{"data": {"train": "a"}, "training": {"optimizer": "adam", "momentum": 0, "nesterov": false}}"#) == nil)
    }

    @Test func everyKeyIsRead() throws {
        let c = try decode("""
        {"data": {"train": "a.csv", "test": "b.csv", "label": "y", "test_fraction": 0, "standardize": false},
         "model": {"type": "logistic"},
         "training": {"batch_size": 7, "epochs": 3, "learning_rate": "invscaling", "eta0": 0.2, "power_t": 0.3,
                      "penalty": "none", "alpha": 0, "tol": null, "n_iter_no_change": 2, "shuffle": false, "seed": 9},
         "workers": 3, "output": {"dir": "out"}}
        """, base: "/cfg")
        #expect(c.data.train == "/cfg/a.csv" && c.data.test == "/cfg/b.csv" && c.data.label == "y")
        #expect(c.data.testFraction == 0 && !c.data.standardize && c.modelType == .logistic)
        let t = c.training
        #expect(t.batchSize == 7 && t.epochs == 3 && t.learningRate == .invscaling && t.eta0 == 0.2 && t.powerT == 0.3)
        #expect(t.penalty == Penalty.none && t.alpha == 0 && t.tol == nil && t.nIterNoChange == 2 && !t.shuffle && t.seed == 9)
        #expect(c.workers == 3 && c.outputDir == "/cfg/out")
        // The resolved config written into model files decodes to the same config.
        #expect(try Config.decode(c.jsonValue, file: "c.json") == { var d = c; d.file = "c.json"; return d }())
    }

    /// The resolved config stored in model files and checkpoints decodes back to itself
    /// (checkpoints rely on it to resume).
    @Test(arguments: [
        #"{"data": {"train": "a.csv"}}"#,
        #"{"data": {"synthetic": {"shape": "rings", "samples": 50, "features": 3}}, "model": {"type": "mlp", "hidden": [4, 3], "activation": "sigmoid"}, "training": {"optimizer": "adam", "penalty": "elasticnet", "l1_ratio": 0.3, "average": 10, "max_seconds": 5, "early_stopping": true, "tol": null}}"#,
        #"{"data": {"train": "a.csv", "test": "b.csv", "standardize": false}, "training": {"optimizer": "sgd", "momentum": 0.9, "nesterov": true, "learning_rate": "adaptive", "eta0": 0.2}, "workers": 3, "output": {"dir": "o"}}"#,
    ])
    func resolvedConfigDecodesToItself(text: String) throws {
        let c = try decode(text, base: "/base")
        var again = try Config.decode(c.jsonValue, file: "c.json", baseFolder: "/elsewhere")
        again.file = c.file
        #expect(again == c)
    }

    @Test func mlpKeysAreRead() throws {
        let c = try decode(#"{"data": {"train": "a.csv"}, "model": {"type": "mlp", "hidden": [64, 32], "activation": "tanh"}}"#)
        #expect(c.modelType == .mlp && c.hidden == [64, 32] && c.activation == .tanh)
        let d = try decode(#"{"data": {"train": "a.csv"}, "model": {"type": "mlp"}}"#)
        #expect(d.hidden == [100] && d.activation == .relu)
        // The resolved config keeps the shape, so a model file records it.
        let again = try Config.decode(c.jsonValue, file: "again")
        #expect(again.hidden == [64, 32] && again.activation == .tanh)
    }

    @Test func relativePathsResolveAgainstTheConfigFolder() throws {
        #expect(try decode(#"{"data": {"train": "../data/x.csv"}}"#, base: "/repo/configs").data.train == "/repo/data/x.csv")
        #expect(try decode(#"{"data": {"train": "/abs/x.csv"}}"#, base: "/repo/configs").data.train == "/abs/x.csv")
        // Relative config folders: the path as the user would type it, no "configs/../".
        let c = try decode(#"{"data": {"train": "../data/x.csv"}, "output": {"dir": "../runs/exp"}}"#, base: "configs")
        #expect(c.data.train == "data/x.csv" && c.outputDir == "runs/exp")
        #expect(try decode(#"{"data": {"train": "../../x.csv"}}"#, base: "../project/configs").data.train == "../x.csv")
        #expect(try decode(#"{"data": {"train": "./x.csv"}}"#, base: "configs").data.train == "configs/x.csv")
    }

    @Test func pathsAreNormalisedLexically() {
        #expect(normalizedPath("configs/../runs/digits") == "runs/digits")
        #expect(normalizedPath("a/./b//c/") == "a/b/c")
        #expect(normalizedPath("../a/../../b") == "../../b")
        #expect(normalizedPath("a/..") == ".")
        #expect(normalizedPath("/a/../../b") == "/b")
        #expect(normalizedPath("/") == "/")
        #expect(normalizedPath("x") == "x")
    }

    @Test(arguments: [
        (#"{"data": {"train": "x.csv"}, "trainig": {}}"#, "trainig"),
        (#"{"data": {"train": "x.csv"}, "training": {"bogus": 1}}"#, "training.bogus"),
        (#"{"data": {"train": "x.csv", "synthetic": {"samples": 10, "color": 1}}}"#, "data.synthetic.color"),
    ])
    func unknownKeysAreNamed(text: String, key: String) throws {
        let e = try #require(configError(text))
        #expect(e.key == key)
        #expect(e.message.contains("unknown key"))
    }

    @Test(arguments: [
        (#"{"data": {"train": "x.csv"}, "trainig": {}}"#, #"unknown key; did you mean "training"? allowed here:"#),
        (#"{"data": {"train": "x.csv"}, "training": {"alfa": 1}}"#, #"did you mean "alpha"?"#),
        (#"{"data": {"train": "x.csv"}, "training": {"batchsize": 1}}"#, #"did you mean "batch_size"?"#),
        (#"{"data": {"train": "x.csv"}, "training": {"bogus": 1}}"#, #"unknown key; allowed here: "#),
    ])
    func unknownKeysSuggestTheNearestAllowedKey(text: String, fragment: String) throws {
        let e = try #require(configError(text))
        #expect(e.message.contains(fragment), "\(e.message)")
    }

    @Test(arguments: [
        (#"{"data": {"train": "x.csv"}, "training": {"batch_size": "ten"}}"#, "training.batch_size", "found a string"),
        (#"{"data": {"train": "x.csv"}, "training": {"batch_size": 0}}"#, "training.batch_size", "out of range"),
        (#"{"data": {"train": "x.csv"}, "training": {"batch_size": 2.5}}"#, "training.batch_size", "whole number"),
        (#"{"data": {"train": "x.csv"}, "training": {"eta0": -0.1}}"#, "training.eta0", "> 0"),
        (#"{"data": {"train": "x.csv"}, "training": {"eta0": 0}}"#, "training.eta0", "> 0"),
        (#"{"data": {"train": "x.csv"}, "training": {"learning_rate": "fast"}}"#, "training.learning_rate", "\"optimal\""),
        (#"{"data": {"train": "x.csv"}, "training": {"penalty": "l3"}}"#, "training.penalty", "\"elasticnet\""),
        (#"{"data": {"train": "x.csv"}, "training": {"l1_ratio": 1.5}}"#, "training.l1_ratio", "[0, 1]"),
        (#"{"data": {"train": "x.csv"}, "training": {"learning_rate": "optimal", "alpha": 0}}"#, "training.alpha", "optimal"),
        (#"{"data": {"train": "x.csv"}, "training": {"shuffle": 1}}"#, "training.shuffle", "true or false"),
        (#"{"data": {"train": "x.csv"}, "training": {"tol": -1}}"#, "training.tol", "out of range"),
        (#"{"data": {"train": "x.csv"}, "training": {"max_seconds": 0}}"#, "training.max_seconds", "> 0"),
        (#"{"data": {"train": "x.csv"}, "training": {"validation_fraction": 1}}"#, "training.validation_fraction", "(0, 1)"),
        (#"{"data": {"train": "x.csv"}, "training": {"early_stopping": "yes"}}"#, "training.early_stopping", "true or false"),
        (#"{"data": {"train": "x.csv"}, "workers": -1}"#, "workers", "out of range"),
        (#"{"data": {"train": "x.csv"}, "workers": 100000}"#, "workers", "out of range"),
        (#"{"data": {"train": "x.csv", "test_fraction": 1}}"#, "data.test_fraction", "[0, 1)"),
        (#"{"data": {"train": ""}}"#, "data.train", "empty"),
        (#"{"data": {}}"#, "data.train", "missing"),
        (#"{"model": {"type": "tree"}, "data": {"train": "x.csv"}}"#, "model.type", "\"softmax\""),
        (#"[1, 2]"#, "(top level)", "expected an object"),
        (#"{"model": {"type": "softmax", "hidden": [4]}, "data": {"train": "x.csv"}}"#, "model.hidden", "only for"),
        (#"{"model": {"type": "mlp", "hidden": []}, "data": {"train": "x.csv"}}"#, "model.hidden", "1 to 64"),
        (#"{"model": {"type": "mlp", "hidden": 8}, "data": {"train": "x.csv"}}"#, "model.hidden", "found a number"),
        (#"{"model": {"type": "mlp", "hidden": [8, 0]}, "data": {"train": "x.csv"}}"#, "model.hidden[1]", "out of range"),
        (#"{"model": {"type": "mlp", "activation": "gelu"}, "data": {"train": "x.csv"}}"#, "model.activation", "\"tanh\""),
        (#"{"data": {"synthetic": {"shape": "moons"}}}"#, "data.synthetic.shape", "\"rings\""),
        (#"{"data": {"synthetic": {"shape": "xor", "classes": 3}}}"#, "data.synthetic.classes", "2 classes"),
        (#"{"data": {"synthetic": {"shape": "rings", "features": 1}}}"#, "data.synthetic.features", "at least 2"),
        (#"{"data": {"synthetic": {"noise": 1e300}}}"#, "data.synthetic.noise", "from 0 to 1e30"),
    ])
    func badValuesNameTheKeyAndWhatIsAllowed(text: String, key: String, fragment: String) throws {
        let e = try #require(configError(text))
        #expect(e.key == key)
        #expect(e.message.contains(fragment), "message: \(e.message)")
    }
}

@Suite struct JSONParserTests {
    @Test func parsesEveryKind() throws {
        let v = try JSONParser.parse(Array(#"{"a": [1, -2.5e3, true, false, null, "x\"\u00e9\n"], "b": {}}"#.utf8))
        #expect(v == .object([
            ("a", .array([.number(1), .number(-2500), .bool(true), .bool(false), .null, .string("x\"é\n")])),
            ("b", .object([])),
        ]))
    }

    @Test(arguments: [
        ("{\n  \"a\": 1,\n  \"b\": }", 3, 8),
        ("{\"a\": 1,}", 1, 9),
        ("{\"a\" 1}", 1, 6),
        ("[1, 2", 1, 6),
        ("{\"a\": tru}", 1, 7),
        ("{\"a\": 01}", 1, 8),
        ("{\"a\": 1} x", 1, 10),
        ("{\"a\": 1, \"a\": 2}", 1, 10),
    ])
    func syntaxErrorsHaveLineAndColumn(text: String, line: Int, column: Int) {
        #expect {
            try JSONParser.parse(Array(text.utf8))
        } throws: { error in
            guard let e = error as? JSONSyntaxError else { return false }
            return e.line == line && e.column == column
        }
    }

    @Test func roundTripsThroughText() throws {
        let v = JSONValue.object([("w", .array([.number(0.1), .number(1e-30), .number(-3)])), ("s", .string("a\tb"))])
        #expect(try JSONParser.parse(Array(v.jsonText.utf8)) == v)
        #expect(try JSONParser.parse(Array(v.prettyText().utf8)) == v)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        // Found by the model-file fuzz target: a weight of -0.0 was written as 0 and read back
        // as +0.0, not the same bits.
        #expect(JSONValue.number(-0.0).jsonText == "-0" && JSONValue.number(0).jsonText == "0")
        guard case .number(let d) = try JSONParser.parse(Array("-0".utf8)) else { Issue.record("not a number"); return }
        #expect(d.bitPattern == (-0.0 as Double).bitPattern)
        var model = LinearModel(kind: .softmax, featureCount: 2, classCount: 3)
        model.setParameters(weights: [-0.0, 1, 0, -2, 0.5, -0.0], bias: [-0.0, 0, 3])
        let saved = SavedModel(model: model, classes: ["a", "b", "c"], featureNames: ["x", "y"], label: "label", scaler: nil)
        let back = try SavedModel.decode(try JSONParser.parse(Array(saved.jsonValue.prettyText().utf8)), file: "m.json")
        #expect(back.model.linear!.weights.map(\.bitPattern) == model.weights.map(\.bitPattern))
        #expect(back.model.linear!.bias.map(\.bitPattern) == model.bias.map(\.bitPattern))
    }
}

@Suite struct LearningErrorTests {
    @Test func messagesStayOnOneLine() {
        let e = LearningError.data(file: "d.csv", line: 3, message: "column 'a' value 'x\ny\r\tz\u{1}' is not a number")
        #expect(e.description == "d.csv:3: column 'a' value 'x\\ny\\r\\tz\\u{1}' is not a number")
        #expect(!e.description.contains("\n"))
    }
}
