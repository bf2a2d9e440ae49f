import Foundation
import Testing

@Suite("minibatch bench")
struct BenchCommandTests {
    @Test("--json: one object per worker count, identical weights, consistent figures")
    func jsonReport() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["bench", "--samples", "600", "--features", "12", "--classes", "3", "--batch-size", "64",
                             "--epochs", "3", "--workers", "3", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let line = try #require(CLI.lines(r.stdout).last)
        let json = try JSONRead.object(line)
        #expect(json["workload"] as? String == "custom")
        #expect(json["identical_across_workers"] as? Bool == true)
        let rows = try #require(json["results"] as? [[String: Any]])
        #expect(rows.map { JSONRead.int($0["workers"]) } == [1, 2, 3])
        let peak = try #require(JSONRead.number(json["peak_gflops"]))
        #expect(peak > 0)
        for row in rows {
            let ms = try #require(JSONRead.number(row["ms_per_epoch"]))
            let gflops = try #require(JSONRead.number(row["gflops"]))
            // GFLOP/s = 4 n d K / epoch seconds; samples/s = n / epoch seconds.
            #expect(abs(gflops - 4 * 600 * 12 * 3 / (ms / 1e3) / 1e9) <= 1e-6 * gflops)
            #expect(abs(try #require(JSONRead.number(row["samples_per_second"])) - 600 / (ms / 1e3)) <= 1e-6 * 600 / (ms / 1e3))
            #expect(abs(try #require(JSONRead.number(row["peak_fraction"])) - gflops / peak) <= 1e-9)
        }
        // Every worker count trained the same model, so the same final loss.
        #expect(Set(rows.map { JSONRead.number($0["loss"]) ?? -1 }).count == 1)
    }

    @Test("bad options: exit 2 with one line")
    func badOptions() throws {
        let box = try Sandbox()
        defer { box.remove() }
        for args in [["bench", "--workload", "W9"], ["bench", "--dispatch", "magic"], ["bench", "--epochs", "0"],
                     ["bench", "--samples", "2", "--classes", "3"]] {
            let r = try box.run(args)
            #expect(r.exitCode == 2, "\(args): \(r)")
            #expect(CLI.lines(r.stderr).count == 1 && r.stderr.hasPrefix("minibatch: "), "\(args): \(r)")
        }
    }

    @Test("a workload that is not a valid config: exit 2 naming the key, before anything is printed")
    func invalidWorkloadFailsFirst() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["bench", "--hidden", Array(repeating: "2", count: 65).joined(separator: ","), "--epochs", "2"])
        #expect(r.exitCode == 2, "\(r)")
        #expect(r.stderr == "minibatch: bench: model.hidden: expected 1 to 64 layer sizes, found 65\n", "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
    }
}

@Suite struct BenchMemoryTests {
    @Test("bench sizes beyond any memory: exit 2 naming the flag, before generating anything",
          arguments: [(["--samples", "10000000", "--features", "10000"], "--samples"),
                      (["--hidden", "100000,100000"], "--hidden")])
    func beyondMemory(args: [String], flag: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["bench"] + args)
        expectOneLineError(r, mentioning: ["\(flag): ", "of memory, more than this machine's"])
        #expect(r.stdout.isEmpty)
    }
}
