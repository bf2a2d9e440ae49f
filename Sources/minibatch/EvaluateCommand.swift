import DataParallel
import Foundation
import Learning

/// `minibatch evaluate`: accuracy, log loss and confusion matrix on labelled data, the rows
/// scored on `--workers` threads (default one per active core); the figures are the same for
/// any worker count.
enum EvaluateCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "evaluate", valued: ["--model", "--data", "--labels", "--format", "--config", "--workers"],
                              boolean: ["--json"])
        let format = try a.format(command: "evaluate")
        let pool = try WorkerPool(workers: try a.workers() ?? 0)
        let saved: SavedModel
        let data: ScoringData
        var source: String? = nil
        // The file that a row's error names.
        var scoredFile: String
        if let configPath = a.string("--config") {
            // The config's held-out test split (or test file), and by default its run's model.
            for flag in ["--data", "--labels", "--format"] where a.string(flag) != nil {
                throw UsageError("\(flag) cannot be combined with --config: the config names the data (see 'minibatch help evaluate')")
            }
            let config = try Config.load(path: configPath)
            scoredFile = config.data.test ?? configPath
            saved = try SavedModel.read(path: a.string("--model") ?? SavedModel.defaultModelPath(of: config))
            data = try LoadingLine().around { try saved.heldOutTestSet(of: config, pool: pool) }
            source = config.data.test.map { "the test file \($0)" }
                ?? "the test split of \(configPath) (data.test_fraction \(config.data.testFraction), training.seed \(config.training.seed)), held out of training"
        } else {
            saved = try SavedModel.read(path: try a.required("--model", command: "evaluate"))
            let dataPath = try a.required("--data", command: "evaluate")
            scoredFile = dataPath
            let (loaded, hasLabels) = try LoadingLine().around {
                try saved.loadInput(path: dataPath, labelsPath: a.string("--labels"), format: format)
            }
            guard hasLabels else {
                if format.resolved(for: dataPath) == .npy {
                    throw UsageError("\(dataPath): a .npy array holds no labels to evaluate against; give them with --labels FILE.npy")
                }
                throw LearningError.data(file: dataPath, line: 1, message: "no label column '\(saved.label)' to evaluate against")
            }
            data = loaded
        }
        let e = Evaluation(scores: try saved.scoreChecked(data, pool: pool, file: scoredFile, labelled: true), labels: data.labels,
                           classes: data.classes, unseenLabels: data.unseenLabels)
        func scoresJSON(_ s: ClassScores) -> JSONValue {
            .object([("precision", .number(s.precision)), ("recall", .number(s.recall)), ("f1", .number(s.f1)),
                     ("support", .number(Double(s.support)))])
        }
        if a.flag("--json") {
            let json = JSONValue.object((source.map { [("data", JSONValue.string($0))] } ?? []) + [
                ("samples", .number(Double(e.count))),
                ("accuracy", .number(e.accuracy)),
                ("log_loss", .number(e.logLoss)),
                ("classes", .array(e.predictedLabels.map { .string($0) })),
                ("true_labels", .array(e.trueLabels.map { .string($0) })),
                e.confusionJSON,
                ("unseen_labels", .number(Double(e.unseenCount))),
                ("per_class", .array(zip(e.predictedLabels, e.classScores).map { name, s in
                    guard case .object(let members) = scoresJSON(s) else { return .null }
                    return .object([("class", .string(name))] + members)
                })),
                ("macro_avg", scoresJSON(e.macroAverage)),
                ("weighted_avg", scoresJSON(e.weightedAverage)),
            ])
            try Console.out(json.jsonText)
            return 0
        }
        if let source { try Console.out("data      \(source)") }
        try Console.out("samples   \(e.count)")
        try Console.out(String(format: "accuracy  %.4f", e.accuracy))
        try Console.out(String(format: "log loss  %.6f", e.logLoss))
        if e.unseenCount > 0 { try Console.out("unseen    \(e.unseenCount) rows have labels the model never saw") }
        let width = max(6, (e.trueLabels + e.predictedLabels).map(\.count).max() ?? 0, String(e.count).count) + 1
        // The first column also holds the rows "macro" and "weighted".
        let labelWidth = max(width, "weighted".count + 1)
        func pad(_ s: String, _ w: Int = 0) -> String {
            String(repeating: " ", count: max(0, max(w, width) - s.count)) + s
        }
        if e.isSmall {
            try Console.out("confusion matrix (rows: true label, columns: predicted):")
            try Console.out(pad("", labelWidth) + e.predictedLabels.map { pad($0) }.joined())
            for (i, row) in e.confusion.enumerated() {
                try Console.out(pad(e.trueLabels[i], labelWidth) + row.map { pad(String($0)) }.joined())
            }
        } else {
            // Too many classes for a matrix: the largest confusions instead.
            try Console.out("confusion matrix: \(e.trueLabels.count) x \(e.predictedLabels.count), too large to print "
                + "(--json gives its non-zero cells); the largest confusions (true label -> predicted: rows):")
            for c in ConfusionCell.topConfusions(e.cells, limit: 20) {
                try Console.out("  \(e.trueLabels[c.row]) -> \(e.predictedLabels[c.column]): \(c.count)")
            }
        }
        try Console.out("per class:")
        try Console.out(pad("", labelWidth) + ["precision", "recall", "f1", "support"].map { pad($0, 10) }.joined())
        func line(_ name: String, _ s: ClassScores) throws(LearningError) {
            try Console.out(pad(name, labelWidth) + [s.precision, s.recall, s.f1].map { pad(String(format: "%.4f", $0), 10) }.joined()
                + pad(String(s.support), 10))
        }
        for (name, s) in zip(e.predictedLabels, e.classScores) { try line(name, s) }
        try line("macro", e.macroAverage)
        try line("weighted", e.weightedAverage)
        return 0
    }
}
