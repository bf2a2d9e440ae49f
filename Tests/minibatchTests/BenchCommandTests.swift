import Foundation
import Testing

@Suite("minibatch bench")
struct BenchCommandTests {
    @Test("--json: one object per worker count, identical weights, consistent figures")
    func jsonReport() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["bench", "--samples", "600", "--features", "12", "--classes", "3", "--batch-size", "64",
                             "--epochs", "3", "--workers", "3", "--bandwidth-mb", "16", "--json"])
        #expect(r.exitCode == 0, "\(r)")
        let line = try #require(CLI.lines(r.stdout).last)
        let json = try JSONRead.object(line)
        #expect(json["workload"] as? String == "custom")
        #expect(json["identical_across_workers"] as? Bool == true)
        let rows = try #require(json["results"] as? [[String: Any]])
        #expect(rows.map { JSONRead.int($0["workers"]) } == [1, 2, 3])
        let peak = try #require(JSONRead.number(json["peak_gflops"]))
        #expect(peak > 0)
        let peaks = try #require(json["peak_gflops_by_threads"] as? [Any]).compactMap { JSONRead.number($0) }
        let bandwidths = try #require(json["bandwidth_gb_per_s_by_threads"] as? [Any]).compactMap { JSONRead.number($0) }
        #expect(peaks.count == 3 && bandwidths.count == 3 && peaks.last == peak)
        #expect(JSONRead.int(json["bandwidth_buffer_bytes"]) == 16 << 20)
        // n = 600, d = 12, K = 3: 4ndK FLOPs; 4nd + 8n + 8P bytes with P = K (d + 1) = 39.
        let flops: Double = 4 * 600 * 12 * 3
        let bytes: Double = 4 * 600 * 12 + 8 * 600 + 8 * 39
        #expect(JSONRead.number(json["flops_per_epoch"]) == flops && JSONRead.number(json["bytes_per_epoch"]) == bytes)
        for row in rows {
            let ms = try #require(JSONRead.number(row["ms_per_epoch"]))
            let gflops = try #require(JSONRead.number(row["gflops"]))
            // GFLOP/s = 4 n d K / epoch seconds; samples/s = n / epoch seconds.
            #expect(abs(gflops - 4 * 600 * 12 * 3 / (ms / 1e3) / 1e9) <= 1e-6 * gflops)
            #expect(abs(try #require(JSONRead.number(row["samples_per_second"])) - 600 / (ms / 1e3)) <= 1e-6 * 600 / (ms / 1e3))
            // Each row against the ceilings of its own thread count.
            let workers = try #require(JSONRead.int(row["workers"]))
            let rowPeak = try #require(JSONRead.number(row["peak_gflops"]))
            let bandwidth = try #require(JSONRead.number(row["bandwidth_gb_per_s"]))
            #expect(rowPeak == peaks[workers - 1] && bandwidth == bandwidths[workers - 1])
            #expect(abs(try #require(JSONRead.number(row["peak_fraction"])) - gflops / rowPeak) <= 1e-9)
            let compute: Double = flops / (rowPeak * 1e9)
            let memory: Double = bytes / (bandwidth * 1e9)
            let bound = try #require(JSONRead.number(row["bound_ms"]))
            #expect(abs(bound - 1e3 * max(compute, memory)) <= 1e-9 * bound)
            #expect(row["bound_limit"] as? String == (memory > compute ? "memory" : "compute"))
            #expect(abs(try #require(JSONRead.number(row["bound_fraction"])) - bound / ms) <= 1e-9)
        }
        // Every worker count trained the same model, so the same final loss.
        #expect(Set(rows.map { JSONRead.number($0["loss"]) ?? -1 }).count == 1)
    }

    @Test("bad options: exit 2 with one line")
    func badOptions() throws {
        let box = try Sandbox()
        defer { box.remove() }
        for args in [["bench", "--workload", "W9"], ["bench", "--dispatch", "magic"], ["bench", "--epochs", "0"],
                     ["bench", "--samples", "2", "--classes", "3"], ["bench", "--bandwidth-mb", "0"]] {
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
                      (["--hidden", "100000,100000"], "--hidden"), (["--bandwidth-mb", "1000000"], "--bandwidth-mb")])
    func beyondMemory(args: [String], flag: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let r = try box.run(["bench"] + args)
        expectOneLineError(r, mentioning: ["\(flag): ", "of memory, more than this machine's"])
        #expect(r.stdout.isEmpty)
    }
}
