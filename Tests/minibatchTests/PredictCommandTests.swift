import Foundation
import Testing

@Suite("minibatch predict")
struct PredictCommandTests {
    @Test("labels: header 'label' and one known class per input row")
    func labels() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 45)
        let model = try trainSmallModel(in: box, table: table)
        let r = try box.run(["predict", "--model", model, "--data", "train.csv"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stderr.isEmpty)
        let lines = r.stdoutLines
        #expect(lines.first == "label")
        #expect(lines.count == 45 + 1)
        #expect(lines.dropFirst().allSatisfy { table.classes.contains($0) }, "\(r.stdout)")
        // The classes are well apart: far better than the 15 of 45 of guessing.
        let correct = zip(lines.dropFirst(), table.labels).filter { $0 == $1 }.count
        #expect(correct >= 25, "only \(correct) of 45 right")
    }

    @Test("--proba: header label, p_<class> in the model's class order, rows sum to 1, argmax is the row's label")
    func probabilities() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 45)
        let model = try trainSmallModel(in: box, table: table)
        let classes = try #require(JSONRead.strings(try JSONRead.object(try box.read(model))["classes"]))
        #expect(classes == table.classes)

        let r = try box.run(["predict", "--model", model, "--data", "train.csv", "--proba"])
        #expect(r.exitCode == 0, "\(r)")
        let rows = csvRows(r.stdout)
        #expect(rows.first == ["label"] + classes.map { "p_" + $0 })
        #expect(rows.count == 45 + 1)
        var argmaxLabels: [String] = []
        for row in rows.dropFirst() {
            let p = row.dropFirst().compactMap { Double($0) }
            try #require(p.count == classes.count, "bad row \(row)")
            #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(abs(p.reduce(0, +) - 1) <= 1e-5, "row \(row) sums to \(p.reduce(0, +))")
            argmaxLabels.append(classes[p.indices.max { p[$0] < p[$1] }!])
            #expect(row.first == argmaxLabels.last, "the label printed beside the probabilities is their argmax: \(row)")
        }
        let labels = try box.run(["predict", "--model", model, "--data", "train.csv"])
        #expect(Array(labels.stdoutLines.dropFirst()) == argmaxLabels)
    }

    @Test("--proba with a two-class (logistic) model gives two columns that sum to 1")
    func logisticProbabilities() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 40, classes: ["neg", "pos"])
        let model = try trainSmallModel(in: box, table: table)
        let r = try box.run(["predict", "--model", model, "--data", "train.csv", "--proba"])
        #expect(r.exitCode == 0, "\(r)")
        let rows = csvRows(r.stdout)
        #expect(rows.first == ["label", "p_neg", "p_pos"])
        #expect(rows.count == 41)
        var argmax: [String] = []
        for row in rows.dropFirst() {
            let p = row.dropFirst().compactMap { Double($0) }
            try #require(p.count == 2, "bad row \(row)")
            #expect(abs(p[0] + p[1] - 1) <= 1e-5)
            argmax.append(p[1] > p[0] ? "pos" : "neg")
        }
        let labels = try box.run(["predict", "--model", model, "--data", "train.csv"])
        // Ties (p = 0.5 exactly) are not expected on this data.
        #expect(Array(labels.stdoutLines.dropFirst()) == argmax)
    }

    @Test("no label column and columns in another order: features are matched by name")
    func unlabelledAndReordered() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 45)
        let model = try trainSmallModel(in: box, table: table)
        try box.write(table.csv(columns: table.featureNames), to: "unlabelled.csv")
        try box.write(table.csv(columns: ["f2", "label", "f0", "f1"]), to: "shuffled-cols.csv")
        try box.write(table.csv(columns: ["f1", "f2", "f0"]), to: "shuffled-unlabelled.csv")

        let reference = try box.run(["predict", "--model", model, "--data", "train.csv", "--proba"])
        #expect(reference.exitCode == 0, "\(reference)")
        let referenceLabels = try box.run(["predict", "--model", model, "--data", "train.csv"])
        for file in ["unlabelled.csv", "shuffled-cols.csv", "shuffled-unlabelled.csv"] {
            let proba = try box.run(["predict", "--model", model, "--data", file, "--proba"])
            #expect(proba.exitCode == 0, "\(proba)")
            #expect(proba.stdout == reference.stdout, "probabilities differ for \(file)")
            let labels = try box.run(["predict", "--model", model, "--data", file])
            #expect(labels.exitCode == 0, "\(labels)")
            #expect(labels.stdout == referenceLabels.stdout, "labels differ for \(file)")
        }
        // Sanity: the reordering matters: the same numbers under the training names in a
        // different order give different probabilities.
        let swapped = table.csv(columns: ["f2", "f0", "f1"]).replacingOccurrences(of: "f2,f0,f1\n", with: "f0,f1,f2\n")
        try box.write(swapped, to: "swapped-names.csv")
        let s = try box.run(["predict", "--model", model, "--data", "swapped-names.csv", "--proba"])
        #expect(s.exitCode == 0, "\(s)")
        #expect(s.stdout != reference.stdout)
    }

    struct ColumnCase: Sendable, CustomTestStringConvertible {
        var kind: String
        var columns: [String]
        var named: String
        var testDescription: String { "\(kind) column '\(named)'" }
    }

    @Test("a missing feature column or an unknown extra column: exit 2, one line naming the file", arguments: [
        ColumnCase(kind: "missing", columns: ["f0", "f2", "label"], named: "f1"),
        ColumnCase(kind: "extra", columns: ["f0", "f1", "f2", "height", "label"], named: "height"),
    ])
    func wrongColumns(_ c: ColumnCase) throws {
        let (kind, columns, named) = (c.kind, c.columns, c.named)
        let box = try Sandbox()
        defer { box.remove() }
        let table = DataTable(rows: 30)
        let model = try trainSmallModel(in: box, table: table)
        try box.write(table.csv(columns: columns), to: "\(kind)-columns.csv")
        for extra in [[], ["--proba"]] {
            let r = try box.run(["predict", "--model", model, "--data", "\(kind)-columns.csv"] + extra)
            expectOneLineError(r, mentioning: ["\(kind)-columns.csv", named])
            #expect(r.stdout.isEmpty, "\(r)")
        }
    }

    @Test("class names holding a comma are quoted in the CSV output")
    func quotedClassNames() throws {
        let box = try Sandbox()
        defer { box.remove() }
        var table = DataTable(rows: 40, classes: ["a", "b"])
        table.labels = table.labels.map { $0 == "a" ? "\"x,y\"" : "z" }  // CSV-quoted in the file
        let model = try trainSmallModel(in: box, table: table)
        let classes = JSONRead.strings(try JSONRead.object(try box.read(model))["classes"])
        #expect(classes == ["x,y", "z"])
        let p = try box.run(["predict", "--model", model, "--data", "train.csv", "--proba"])
        #expect(p.exitCode == 0, "\(p)")
        #expect(p.stdoutLines.first == "label,\"p_x,y\",p_z")
        let l = try box.run(["predict", "--model", model, "--data", "train.csv"])
        #expect(Set(l.stdoutLines.dropFirst()).isSubset(of: ["\"x,y\"", "z"]), "\(l.stdout)")
    }
}
