import Foundation
import Testing

@Suite("minibatch report")
struct ReportCommandTests {
    @Test("train writes report.html; minibatch report DIR rebuilds the same bytes and prints its path")
    func rebuildsTheSamePage() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try trainSmallModel(in: box, epochs: 4, out: "run")
        let written = try box.read("run/report.html")
        #expect(written.hasPrefix("<!DOCTYPE html>") && written.hasSuffix("</html>\n"))
        #expect(written.contains("id=\"loss-chart\"") && written.contains("id=\"confusion-map\""))
        try FileManager.default.removeItem(at: box.url("run/report.html"))

        let r = try box.run(["report", "run"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        #expect(r.stdoutLines == ["run/report.html"], "\(r)")
        #expect(try box.read("run/report.html") == written)
        // An absolute path and a trailing slash give the same page too.
        let again = try box.run(["report", box.path("run") + "/"])
        #expect(again.exitCode == 0, "\(again)")
        #expect(try box.read("run/report.html") == written)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("run")).sorted() == ["metrics.jsonl", "model.json", "report.html"])
    }

    @Test("train's text summary names the report")
    func trainNamesTheReport() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(DataTable().csv(), to: "train.csv")
        try box.writeJSON(Configs.basic(epochs: 2), to: "c.json")
        let r = try box.run(["train", "--config", "c.json", "--out", "o", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stdoutLines.last == "report: o/report.html", "\(r)")
        #expect(box.exists("o/report.html"))
    }

    /// A trained run in `box` at "run", its report removed, so that a failed rebuild can be
    /// seen to write nothing.
    func brokenRun(_ box: Sandbox, _ breakIt: (Sandbox) throws -> Void) throws {
        try trainSmallModel(in: box, epochs: 3, out: "run")
        try FileManager.default.removeItem(at: box.url("run/report.html"))
        try breakIt(box)
    }

    @Test("a missing folder, model.json or metrics.jsonl: exit 2, one line naming it, nothing written")
    func missingInputs() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["report", "nowhere"])
        expectOneLineError(r, mentioning: ["nowhere", "no such folder"])
        #expect(box.listing().isEmpty)

        try box.write("x", to: "plain-file")
        expectOneLineError(try box.run(["report", "plain-file"]), mentioning: ["plain-file", "not a folder"])

        try brokenRun(box) { try FileManager.default.removeItem(at: $0.url("run/model.json")) }
        let m = try box.run(["report", "run"])
        expectOneLineError(m, mentioning: ["run/model.json", "no such model file"])
        #expect(m.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("run")) == ["metrics.jsonl"])

        let box2 = try Sandbox()
        defer { box2.remove() }
        try brokenRun(box2) { try FileManager.default.removeItem(at: $0.url("run/metrics.jsonl")) }
        let n = try box2.run(["report", "run"])
        expectOneLineError(n, mentioning: ["run/metrics.jsonl", "no such file"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: box2.path("run")) == ["model.json"])
    }

    @Test("a malformed metrics.jsonl line: exit 2, one line naming the file and line; an old report stays as it was")
    func malformedMetrics() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try trainSmallModel(in: box, epochs: 3, out: "run")
        let report = try box.read("run/report.html")
        var lines = CLI.lines(try box.read("run/metrics.jsonl"))
        for (bad, fragment) in [("{\"epoch\": 2, \"loss\": ", "not valid JSON"), ("{\"epoch\": 2, \"loss\": \"high\", \"accuracy\": 1}", "\"loss\""),
                                ("[]", "JSON object"), ("{\"epoch\": 1, \"loss\": 1, \"accuracy\": 1}", "does not follow epoch 1")] {
            lines[1] = bad
            try box.write(lines.joined(separator: "\n") + "\n", to: "run/metrics.jsonl")
            let r = try box.run(["report", "run"])
            expectOneLineError(r, mentioning: ["run/metrics.jsonl:2:", fragment])
            #expect(try box.read("run/report.html") == report)
            #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("run")).sorted() == ["metrics.jsonl", "model.json", "report.html"])
        }
        try box.write("\n", to: "run/metrics.jsonl")
        expectOneLineError(try box.run(["report", "run"]), mentioning: ["run/metrics.jsonl", "no epochs"])
    }

    @Test("a malformed model.json: exit 2, one line naming it, nothing written")
    func malformedModel() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try brokenRun(box) { box in
            let text = try box.read("run/model.json")
            try box.write(String(text.prefix(text.count / 2)), to: "run/model.json")
        }
        let r = try box.run(["report", "run"])
        expectOneLineError(r, mentioning: ["run/model.json", "JSON error"])
        #expect(!box.exists("run/report.html"))

        // A confusion matrix of the wrong shape is named by its key.
        let box2 = try Sandbox()
        defer { box2.remove() }
        try brokenRun(box2) { box in
            var m = try JSONRead.object(try box.read("run/model.json"))
            var e = try #require(m["evaluation"] as? [String: Any])
            e["confusion_matrix"] = [[1, 2]]
            m["evaluation"] = e
            try box.writeJSON(m, to: "run/model.json")
        }
        let s = try box2.run(["report", "run"])
        expectOneLineError(s, mentioning: ["run/model.json", "evaluation.confusion_matrix"])
        #expect(!box2.exists("run/report.html"))
    }

    @Test("a model.json without the newer keys still gets a report")
    func olderModelFile() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try brokenRun(box) { box in
            var m = try JSONRead.object(try box.read("run/model.json"))
            m["evaluation"] = nil
            var t = try #require(m["training"] as? [String: Any])
            for k in Array(t.keys) where k.hasSuffix("_class_counts") || k == "validation_samples" { t[k] = nil }
            m["training"] = t
            try box.writeJSON(m, to: "run/model.json")
        }
        let r = try box.run(["report", "run"])
        #expect(r.exitCode == 0, "\(r)")
        let html = try box.read("run/report.html")
        #expect(html.contains("Not recorded") && !html.contains("id=\"confusion-map\"") && html.contains("id=\"accuracy-chart\""))
        // evaluate still reads the model.
        let e = try box.run(["evaluate", "--model", "run/model.json", "--data", "train.csv", "--json"])
        #expect(e.exitCode == 0, "\(e)")
    }

    @Test("usage: no folder, two folders, an unknown option: exit 2, one line; --help and help report")
    func usage() throws {
        let box = try Sandbox()
        defer { box.remove() }
        expectOneLineError(try box.run(["report"]), mentioning: ["'report' needs", "DIR"])
        expectOneLineError(try box.run(["report", "a", "b"]), mentioning: ["'b'"])
        expectOneLineError(try box.run(["report", "--bogus", "a"]), mentioning: ["'--bogus'", "report"])
        #expect(box.listing().isEmpty)
        let a = try box.run(["help", "report"])
        let b = try box.run(["report", "--help"])
        for h in [a, b] {
            #expect(h.exitCode == 0, "\(h)")
            #expect(h.stdout.contains("Usage: minibatch report DIR"), "\(h)")
        }
        #expect(a.stdout == b.stdout)
        #expect(try box.run(["--help"]).stdout.contains("report"))
    }
}
