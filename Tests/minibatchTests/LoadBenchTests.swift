import Foundation
import Testing

@Suite("minibatch bench --load")
struct LoadBenchTests {
    @Test("--json: the file's rows, entries and features, one time per run, and MB/s from the median")
    func jsonReport() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let text = "1 1:1 7:2\n# a comment\n2 3:0.5\r\n1\n"
        _ = try box.write(text, to: "d.svm")
        let r = try box.run(["bench", "--load", box.path("d.svm"), "--workers", "2", "--repeat", "3", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let json = try JSONRead.object(try #require(CLI.lines(r.stdout).last))
        #expect(JSONRead.int(json["rows"]) == 3 && JSONRead.int(json["entries"]) == 3 && JSONRead.int(json["features"]) == 7)
        #expect(JSONRead.int(json["bytes"]) == text.utf8.count && JSONRead.int(json["workers"]) == 2)
        let seconds = try #require(json["seconds"] as? [Any]).compactMap { JSONRead.number($0) }
        #expect(seconds.count == 3)
        let median = try #require(JSONRead.number(json["median_seconds"]))
        #expect(median == seconds.sorted()[1])
        let rate = try #require(JSONRead.number(json["mb_per_second"]))
        #expect(abs(rate - Double(text.utf8.count) / 1e6 / median) <= 1e-9 * rate)
    }

    @Test("a bad file or option: exit 2 with one line naming the file and line or the flag")
    func errors() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try box.write("1 1:1\n2 2:1 2:3\n", to: "bad.svm")
        let bad = try box.run(["bench", "--load", box.path("bad.svm")])
        #expect(bad.exitCode == 2 && bad.stderr == "minibatch: \(box.path("bad.svm")):2: feature index 2 appears twice\n", "\(bad)")
        for args in [["bench", "--load"], ["bench", "--load", box.path("bad.svm"), "--repeat", "0"],
                     ["bench", "--load", box.path("none.svm")]] {
            let r = try box.run(args)
            #expect(r.exitCode == 2, "\(args): \(r)")
            #expect(CLI.lines(r.stderr).count == 1 && r.stderr.hasPrefix("minibatch: "), "\(args): \(r)")
        }
    }
}
