import Foundation
import Testing

@Suite("minibatch evaluate")
struct EvaluateCommandTests {
    static let keys: Set<String> = [
        "samples", "accuracy", "log_loss", "classes", "true_labels", "confusion_matrix", "unseen_labels",
        "per_class", "macro_avg", "weighted_avg",
    ]

    @Test("text output: samples, accuracy, log loss and a confusion matrix that sums to the row count")
    func textOutput() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 60)
        let model = try trainSmallModel(in: box, table: table)

        let r = try box.run(["evaluate", "--model", model, "--data", "train.csv"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stderr.isEmpty)
        let lines = r.stdoutLines
        #expect(lines.contains("samples   60"), "\(r)")
        #expect(lines.contains { $0.hasPrefix("accuracy  ") }, "\(r)")
        #expect(lines.contains { $0.hasPrefix("log loss  ") }, "\(r)")
        let header = try #require(lines.firstIndex { $0.hasPrefix("confusion matrix") }, "\(r)")
        // Column header row, then one row per class, each "label count count count".
        let columnNames = lines[header + 1].split(separator: " ").map(String.init)
        #expect(columnNames == table.classes)
        var total = 0, diagonal = 0
        for (i, cls) in table.classes.enumerated() {
            let fields = lines[header + 2 + i].split(separator: " ").map(String.init)
            #expect(fields.first == cls)
            let counts = fields.dropFirst().compactMap { Int($0) }
            #expect(counts.count == table.classes.count)
            total += counts.reduce(0, +)
            if i < counts.count { diagonal += counts[i] }
        }
        #expect(total == 60)
        let accuracyText = try #require(lines.first { $0.hasPrefix("accuracy  ") }).dropFirst("accuracy  ".count)
        let accuracy = try #require(Double(accuracyText.trimmingCharacters(in: .whitespaces)))
        #expect(abs(accuracy - Double(diagonal) / 60) < 5e-5)
        #expect(!r.stdout.contains("unseen"))
        // Per class, then the averages: every row right-aligned to the same columns, the
        // "weighted" row too (its name is wider than short class names).
        let perClass = try #require(lines.firstIndex(of: "per class:"), "\(r)")
        let rows = lines[(perClass + 1)...].filter { !$0.isEmpty }
        #expect(rows.count == table.classes.count + 3)
        #expect(rows.last?.trimmingCharacters(in: .whitespaces).hasPrefix("weighted") == true)
        #expect(Set(rows.map(\.count)).count == 1, "\(rows)")
    }

    @Test("--json: exact keys; confusion matrix matches predict's labels; diagonal / rows == accuracy")
    func jsonOutputAgreesWithPredict() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 60)
        let model = try trainSmallModel(in: box, table: table)

        let r = try box.run(["evaluate", "--model", model, "--data", "train.csv", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let e = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(Set(e.keys) == Self.keys)
        #expect(JSONRead.int(e["samples"]) == 60)
        #expect(JSONRead.strings(e["classes"]) == table.classes)
        #expect(JSONRead.strings(e["true_labels"]) == table.classes)
        #expect(JSONRead.int(e["unseen_labels"]) == 0)
        let matrix = try #require(JSONRead.matrix(e["confusion_matrix"]))
        #expect(matrix.count == 3 && matrix.allSatisfy { $0.count == 3 })
        #expect(matrix.joined().reduce(0, +) == 60)
        // Row i sums to the number of rows of class i.
        for (i, cls) in table.classes.enumerated() {
            #expect(matrix[i].reduce(0, +) == Double(table.labels.filter { $0 == cls }.count))
        }
        let diagonal = (0..<3).map { matrix[$0][$0] }.reduce(0, +)
        let accuracy = try #require(JSONRead.number(e["accuracy"]))
        #expect(abs(accuracy - diagonal / 60) < 1e-12)
        let logLoss = try #require(JSONRead.number(e["log_loss"]))
        #expect(logLoss.isFinite && logLoss > 0)
        // Per-class scores recomputed from the matrix: precision = TP / column sum, recall = TP / row sum.
        let perClass = try #require(e["per_class"] as? [[String: Any]])
        #expect(perClass.map { $0["class"] as? String } == table.classes)
        var macroF1 = 0.0
        for (c, row) in perClass.enumerated() {
            let tp = matrix[c][c], column = matrix.map { $0[c] }.reduce(0, +), support = matrix[c].reduce(0, +)
            let p = column > 0 ? tp / column : 0, rc = support > 0 ? tp / support : 0
            let f1 = p + rc > 0 ? 2 * p * rc / (p + rc) : 0
            #expect(abs(try #require(JSONRead.number(row["precision"])) - p) < 1e-12)
            #expect(abs(try #require(JSONRead.number(row["recall"])) - rc) < 1e-12)
            #expect(abs(try #require(JSONRead.number(row["f1"])) - f1) < 1e-12)
            #expect(JSONRead.number(row["support"]) == support)
            macroF1 += f1 / 3
        }
        let macro = try #require(e["macro_avg"] as? [String: Any])
        #expect(abs(try #require(JSONRead.number(macro["f1"])) - macroF1) < 1e-12)

        // Recompute the matrix from predict's labels and the file's true labels.
        let p = try box.run(["predict", "--model", model, "--data", "train.csv"])
        #expect(p.exitCode == 0, "\(p)")
        let predicted = Array(p.stdoutLines.dropFirst())
        try #require(predicted.count == 60)
        var recomputed = [[Double]](repeating: [0, 0, 0], count: 3)
        for (truth, guess) in zip(table.labels, predicted) {
            let i = try #require(table.classes.firstIndex(of: truth))
            let j = try #require(table.classes.firstIndex(of: guess), "predicted an unknown class '\(guess)'")
            recomputed[i][j] += 1
        }
        #expect(recomputed == matrix)
    }

    @Test("on the whole training file (no test split) evaluate agrees with train's accuracy and loss")
    func agreesWithTrainingSummary() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 60).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 3, testFraction: 0), to: "run.json")
        let t = try box.run(["train", "--config", "run.json", "--out", "out", "--json", "--quiet"])
        #expect(t.exitCode == 0, "\(t)")
        let summary = try JSONRead.object(try #require(t.stdoutLines.last))

        let r = try box.run(["evaluate", "--model", "out/model.json", "--data", "train.csv", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let e = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(JSONRead.number(e["accuracy"]) == JSONRead.number(summary["train_accuracy"]))
        let a = try #require(JSONRead.number(e["log_loss"])), b = try #require(JSONRead.number(summary["train_loss"]))
        #expect(abs(a - b) < 1e-9)
    }

    @Test("labels the model never saw: exit 0, counted in unseen_labels and as errors")
    func unseenLabels() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 60)
        let model = try trainSmallModel(in: box, table: table)
        // The first 12 rows, three of them relabelled "purple".
        var other = table
        other.features = Array(table.features.prefix(12))
        other.labels = Array(table.labels.prefix(12))
        for i in [1, 5, 9] { other.labels[i] = "purple" }
        try box.write(other.csv(), to: "other.csv")

        let r = try box.run(["evaluate", "--model", model, "--data", "other.csv", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let e = try JSONRead.object(try #require(r.stdoutLines.last))
        #expect(Set(e.keys) == Self.keys)
        #expect(JSONRead.int(e["samples"]) == 12)
        #expect(JSONRead.int(e["unseen_labels"]) == 3)
        #expect(JSONRead.strings(e["classes"]) == table.classes)
        #expect(JSONRead.strings(e["true_labels"]) == table.classes + ["purple"])
        let matrix = try #require(JSONRead.matrix(e["confusion_matrix"]))
        #expect(matrix.count == 4)
        #expect(matrix.last?.reduce(0, +) == 3)
        #expect(matrix.joined().reduce(0, +) == 12)
        // Accuracy counts the unseen rows as wrong: correct / all 12 rows.
        let p = try box.run(["predict", "--model", model, "--data", "other.csv"])
        let predicted = Array(p.stdoutLines.dropFirst())
        try #require(predicted.count == 12)
        let correct = zip(other.labels, predicted).filter { $0 == $1 }.count
        #expect(JSONRead.number(e["accuracy"]) == Double(correct) / 12)
        #expect(JSONRead.number(e["log_loss"]).map { $0.isFinite } == true)

        let text = try box.run(["evaluate", "--model", model, "--data", "other.csv"])
        #expect(text.exitCode == 0, "\(text)")
        #expect(text.stdout.contains("unseen    3 rows"), "\(text)")
        #expect(text.stdoutLines.contains { $0.split(separator: " ").first == "purple" }, "\(text)")
    }

    @Test("when every label is unseen, --json is still valid JSON (log_loss null, not NaN)")
    func allLabelsUnseenGivesValidJSON() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 60)
        let model = try trainSmallModel(in: box, table: table)
        var other = table
        other.features = Array(table.features.prefix(4))
        other.labels = ["purple", "purple", "orange", "purple"]
        try box.write(other.csv(), to: "other.csv")

        let r = try box.run(["evaluate", "--model", model, "--data", "other.csv", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let line = try #require(r.stdoutLines.last)
        let e = try #require(try? JSONRead.object(line), "evaluate --json printed invalid JSON: \(line)")
        #expect(JSONRead.int(e["unseen_labels"]) == 4)
        #expect(JSONRead.number(e["accuracy"]) == 0)
        #expect(JSONRead.isNull(e["log_loss"]), "log_loss over no known labels should be null: \(line)")
    }

    @Test("a file without the label column: exit 2, one line naming the file")
    func noLabelColumn() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 30)
        let model = try trainSmallModel(in: box, table: table)
        try box.write(table.csv(columns: table.featureNames), to: "unlabelled.csv")
        let r = try box.run(["evaluate", "--model", model, "--data", "unlabelled.csv"])
        expectOneLineError(r, mentioning: ["unlabelled.csv", "label"])
        #expect(r.stdout.isEmpty)
    }

    @Test("a data error in the evaluated file: exit 2, one line naming file and line")
    func dataErrorNamesLine() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        try box.write("f0,f1,f2,label\n1,2,3,red\n1,2,oops,green\n", to: "bad.csv")
        let r = try box.run(["evaluate", "--model", model, "--data", "bad.csv", "--json"])
        expectOneLineError(r, mentioning: ["bad.csv:3:", "oops"])
        #expect(r.stdout.isEmpty)
    }

    @Test("a two-class (logistic) model evaluates with a 2 x 2 confusion matrix")
    func logisticModel() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 40, classes: ["no", "yes"])
        let model = try trainSmallModel(in: box, table: table)
        let m = try JSONRead.object(try box.read(model))
        #expect((m["model"] as? [String: Any])?["type"] as? String == "logistic")
        let r = try box.run(["evaluate", "--model", model, "--data", "train.csv", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let e = try JSONRead.object(try #require(r.stdoutLines.last))
        let matrix = try #require(JSONRead.matrix(e["confusion_matrix"]))
        #expect(matrix.count == 2 && matrix.allSatisfy { $0.count == 2 })
        #expect(matrix.joined().reduce(0, +) == 40)
        #expect(JSONRead.number(e["accuracy"]) == (matrix[0][0] + matrix[1][1]) / 40)
    }

    @Test("missing --model or --data: exit 2")
    func missingFlags() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r1 = try box.run(["evaluate", "--data", "x.csv"])
        expectOneLineError(r1, mentioning: ["--model"])
        let r2 = try box.run(["evaluate", "--model", "m.json"])
        #expect(r2.exitCode == 2, "\(r2)")
        #expect(r2.stderrLines.count == 1)
    }
}

@Suite("minibatch evaluate --config")
struct EvaluateConfigTests {
    @Test("scores the run's held-out test split: the same figures as train's test summary, fewer rows than the file")
    func heldOutSplit() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 90).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 4, testFraction: 0.3, outputDir: "run"), to: "c.json")
        let t = try box.run(["train", "--config", "c.json", "--json", "--quiet"])
        #expect(t.exitCode == 0, "\(t)")
        let summary = try JSONRead.object(try #require(t.stdoutLines.last))
        let r = try box.run(["evaluate", "--config", "c.json", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let e = try JSONRead.object(r.stdout)
        #expect(JSONRead.int(e["samples"]) == 27)  // 30% of 90 rows, stratified
        #expect(JSONRead.number(e["accuracy"]) == JSONRead.number(summary["test_accuracy"]))
        let loss = try #require(JSONRead.number(e["log_loss"])), testLoss = try #require(JSONRead.number(summary["test_loss"]))
        #expect(abs(loss - testLoss) <= 1e-9 * max(1, testLoss), "\(loss) vs \(testLoss)")
        #expect((e["data"] as? String)?.contains("test split of c.json") == true)
        // The plain output says which data it scored.
        let plain = try box.run(["evaluate", "--config", "c.json"])
        #expect(plain.stdoutLines.first?.hasPrefix("data      the test split of c.json") == true, "\(plain)")
        // --model names another model explicitly; on the whole file the count differs.
        let whole = try box.run(["evaluate", "--model", "run/model.json", "--data", "train.csv", "--json"])
        #expect(JSONRead.int(try JSONRead.object(whole.stdout)["samples"]) == 90)
    }

    @Test("errors: --config with --data, no test rows held out, no model yet: one line, exit 2")
    func errors() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable(rows: 30).csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 2, testFraction: 0.2, outputDir: "run"), to: "c.json")
        try box.writeJSON(Configs.basic(epochs: 2, testFraction: 0, outputDir: "run"), to: "none.json")
        expectOneLineError(try box.run(["evaluate", "--config", "c.json"]), mentioning: ["run/model.json", "no such model file"])
        #expect(try box.run(["train", "--config", "c.json", "--quiet"]).exitCode == 0)
        expectOneLineError(try box.run(["evaluate", "--config", "c.json", "--data", "train.csv"]),
                           mentioning: ["--data cannot be combined with --config"])
        expectOneLineError(try box.run(["evaluate", "--config", "none.json", "--model", "run/model.json"]),
                           mentioning: ["none.json", "data.test_fraction", "holds out no test rows"])
    }
}
