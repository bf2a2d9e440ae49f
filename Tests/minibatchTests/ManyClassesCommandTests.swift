import Foundation
import Testing

/// 2,000 one-row classes: report.html used to grow with the square of the class count (794 MB
/// for 2,000 classes; 5,000 died allocating 9.6 GB).
@Suite struct ManyClassesCommandTests {
    @Test("2,000 one-row classes: a small report, sparse confusion cells in model.json and evaluate --json")
    func twoThousandClasses() throws {
        let box = try Sandbox()
        defer { box.remove() }
        var csv = "a,b,label\n"
        for i in 0..<2000 { csv += "\(Double(i % 97) / 10),\(Double(i % 89) / 10),class\(i)\n" }
        try box.write(csv, to: "many.csv")
        try box.writeJSON(Configs.basic(train: "many.csv", epochs: 1, batchSize: 256), to: "c.json")
        let r = try box.run(["train", "--config", "c.json", "--out", "run", "--quiet"])
        try #require(r.exitCode == 0, "\(r)")
        let report = try box.read("run/report.html")
        #expect(report.utf8.count < 1_500_000, "\(report.utf8.count) bytes")
        #expect(report.contains("id=\"top-confusions\"") && report.contains("id=\"confusion-map\""))
        let evaluation = try #require(try JSONRead.object(try box.read("run/model.json"))["evaluation"] as? [String: Any])
        #expect(evaluation["confusion_matrix"] == nil)
        let entries = try #require(JSONRead.matrix(evaluation["confusion_entries"]))
        #expect(entries.map { $0[2] }.reduce(0, +) == 2000 && entries.count <= 2000)
        // report rebuilds the same page.
        let again = try box.run(["report", "run"])
        #expect(again.exitCode == 0, "\(again)")
        #expect(try box.read("run/report.html") == report)
        // evaluate: the largest confusions in text, the non-zero cells in JSON.
        let text = try box.run(["evaluate", "--model", "run/model.json", "--data", "many.csv"])
        #expect(text.exitCode == 0 && text.stdout.contains("too large to print"), "\(text.stderr)")
        #expect(text.stdout.utf8.count < 300_000)
        let json = try box.run(["evaluate", "--model", "run/model.json", "--data", "many.csv", "--json"])
        let cells = try #require(JSONRead.matrix(try JSONRead.object(json.stdout)["confusion_entries"]))
        #expect(cells.map { $0[2] }.reduce(0, +) == 2000)
    }
}
