extension Config {
    /// The checks of `data.format`, `data.features` and the `.npy` label keys, and of the
    /// options the sparse path (LIBSVM training data) cannot honour without O(d) work per step
    /// or a dense copy: each is a config error naming its key.
    static func checkFormat(_ c: Config, _ r: ConfigReader) throws(LearningError) {
        let d = c.data
        let sparse = d.isSparse
        if let test = d.test, d.train != nil {
            let testFormat = d.format.resolved(for: test)
            if sparse && testFormat != .libsvm {
                throw r.fail("data.test", "the training data is LIBSVM, so the test file must be too (a .svm, .libsvm or "
                    + ".svmlight file, or set data.format to \"libsvm\")")
            }
            if !sparse && testFormat == .libsvm {
                throw r.fail("data.test", "a LIBSVM test file needs LIBSVM training data (data.train is \(d.trainFormat.rawValue))")
            }
        }
        if d.features != nil && !sparse {
            throw r.fail("data.features", "only for LIBSVM training data (other formats have their feature count in the file)")
        }
        if !sparse {
            // The .npy label keys would be ignored for other data, and another column than the
            // one meant would silently be the label.
            let npyTrain = d.train != nil && d.trainFormat == .npy
            let npyTest = d.test.map { d.format.resolved(for: $0) == .npy } ?? false
            if d.trainLabels != nil && !npyTrain {
                throw r.fail("data.train_labels", "only for .npy training data; a CSV file's labels are its data.label column")
            }
            if d.testLabels != nil && !npyTest {
                throw r.fail("data.test_labels", "only for a .npy test file (data.test); a CSV file's labels are its data.label column")
            }
            if d.labelColumn != nil && !npyTrain && !npyTest {
                throw r.fail("data.label_column", "only for .npy data; a CSV file's label column is named by data.label")
            }
            return
        }
        for (key, given) in [("data.label_column", d.labelColumn != nil), ("data.train_labels", d.trainLabels != nil),
                             ("data.test_labels", d.testLabels != nil)] where given {
            throw r.fail(key, "only for .npy data; a LIBSVM row starts with its label")
        }
        if d.weight != nil {
            throw r.fail("data.weight", "LIBSVM rows have no weight column; give per-row weights in data.train_weights (a 1-D .npy file)")
        }
        if c.modelType == .mlp {
            throw r.fail("model.type", "\"mlp\" cannot train on LIBSVM data: the sparse path trains linear models only "
                + "(\"softmax\", \"logistic\" or \"auto\")")
        }
        try checkSparseOptions(c.training, r)
    }

    /// The training options the sparse path rejects because each would change every weight at
    /// every step: adam, momentum and averaging.
    static func checkSparseOptions(_ t: TrainingOptions, _ r: ConfigReader) throws(LearningError) {
        if t.optimizer != .sgd {
            throw r.fail("training.optimizer", "\"\(t.optimizer.rawValue)\" is not available for LIBSVM data: its moments "
                + "change every weight at every step (O(features) work); use \"sgd\"")
        }
        if t.momentum != 0 {
            throw r.fail("training.momentum", "must be 0 for LIBSVM data: the velocity changes every weight at every step "
                + "(O(features) work)")
        }
        if t.averageAfter != nil {
            throw r.fail("training.average", "is not available for LIBSVM data: the running mean changes every weight at "
                + "every step (O(features) work)")
        }
    }
}
