import Foundation
import Testing

/// `predict` and `evaluate` on several workers print exactly what one worker prints.
@Suite("predict and evaluate --workers")
struct ScoringWorkersTests {
    /// 9,000 rows: three chunks of predict's 4,096 rows, so chunks of several waves and a short last one.
    @Test("predict: the same bytes for --workers 1, 2, 3 and the default, in input order")
    func predictBytes() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, table: DataTable(rows: 60))
        let big = DataTable(rows: 9000)
        try box.write(big.csv(), to: "big.csv")
        var outputs: [String] = []
        for workers in ["1", "2", "3", "0"] {
            let r = try box.run(["predict", "--model", model, "--data", "big.csv", "--proba", "--keep", "f0",
                                 "--workers", workers])
            #expect(r.exitCode == 0 && r.stderr.isEmpty, "\(r)")
            outputs.append(r.stdout)
        }
        #expect(Set(outputs).count == 1)
        // In input order: the kept column is the input's f0, row by row.
        let rows = csvRows(outputs[0])
        #expect(rows.count == 9001)
        #expect(rows.dropFirst().map { $0[0] } == big.features.map { String($0[0]) })
    }

    @Test("evaluate: the same text and JSON for --workers 1, 2, 3 and the default")
    func evaluateBytes() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box, table: DataTable(rows: 60))
        try box.write(DataTable(rows: 9000).csv(), to: "big.csv")
        for json in [false, true] {
            var outputs: [String] = []
            for workers in ["1", "2", "3", "0"] {
                let r = try box.run(["evaluate", "--model", model, "--data", "big.csv", "--workers", workers]
                                    + (json ? ["--json"] : []))
                #expect(r.exitCode == 0 && r.stderr.isEmpty, "\(r)")
                outputs.append(r.stdout)
            }
            #expect(Set(outputs).count == 1, "\(outputs)")
            #expect(outputs[0].contains(json ? "\"samples\":9000" : "samples   9000"), "\(outputs[0])")
        }
    }

    @Test("a bad --workers: exit 2 with one line naming the flag")
    func badWorkers() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let model = try trainSmallModel(in: box)
        for command in ["predict", "evaluate"] {
            let r = try box.run([command, "--model", model, "--data", "train.csv", "--workers", "-1"])
            #expect(r.exitCode == 2 && r.stdout.isEmpty, "\(r)")
            #expect(CLI.lines(r.stderr).count == 1 && r.stderr.contains("--workers"), "\(r)")
        }
    }
}
