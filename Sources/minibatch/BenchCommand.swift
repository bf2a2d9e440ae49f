import DataParallel
import Foundation
import Learning

/// `minibatch bench`: trains a synthetic workload at worker counts 1...N and prints speed.
enum BenchCommand {
    static func run(_ args: [String]) throws -> Int32 {
        if args.contains("--combine") { return try CombineBench.run(args) }
        if args.contains("--load") { return try LoadBench.run(args) }
        let a = try Arguments(args, command: "bench",
                              valued: ["--workload", "--samples", "--features", "--classes", "--batch-size", "--hidden",
                                       "--epochs", "--workers", "--dispatch", "--bandwidth-mb"],
                              boolean: ["--json"])
        var w: BenchmarkWorkload
        switch a.string("--workload")?.lowercased() ?? "w1" {
        case "w1": w = .w1
        case "w2": w = .w2
        case "w3": w = .w3
        case let other: throw UsageError("--workload \(other) is not known; use W1, W2 or W3")
        }
        if let v = try a.integer("--samples", in: 1...100_000_000, meaning: "use a positive number") { w.samples = v }
        if let v = try a.integer("--features", in: 1...1_000_000, meaning: "use a positive number") { w.features = v }
        if let v = try a.integer("--classes", in: 2...100_000, meaning: "use at least 2") { w.classes = v }
        if let v = try a.integer("--batch-size", in: 1...Int(Int32.max), meaning: "use a positive number") { w.batchSize = v }
        if let text = a.string("--hidden") {
            let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 100_000 }) else {
                throw UsageError("--hidden \(text) is not a list of layer sizes; use for example --hidden 128 or --hidden 64,32")
            }
            w.hidden = sizes.map { $0! }
        }
        if w.classes > w.samples { throw UsageError("--classes \(w.classes) needs at least as many --samples") }
        if a.string("--samples") != nil || a.string("--features") != nil || a.string("--classes") != nil
            || a.string("--hidden") != nil {
            w.name = "custom"
        }
        let epochs = try a.integer("--epochs", in: 1...10_000, meaning: "use a positive number of epochs") ?? 5
        // The workload is checked as a config is before anything is measured or printed.
        try Benchmark.config(w, epochs: epochs).validate()
        // And its memory, before the data is generated: an error names the flag that sets the size.
        do throws(LearningError) {
            try Benchmark.checkMemory(w, epochs: epochs)
        } catch {
            guard case .config(_, let key, let message) = error else { throw error }
            let flags = ["data.synthetic.samples": "--samples", "data.synthetic.features": "--features",
                         "data.synthetic.classes": "--classes", "model.hidden": "--hidden"]
            throw UsageError("\(flags[key] ?? key): \(message)")
        }
        let maxWorkers = try a.workers() ?? 0
        let top = maxWorkers == 0 ? WorkerPool.activeCores : maxWorkers
        let json = a.flag("--json")
        let dispatchName = a.string("--dispatch") ?? WorkerPool.Dispatch.team.rawValue
        guard let dispatch = WorkerPool.Dispatch(rawValue: dispatchName) else {
            throw UsageError("--dispatch \(dispatchName) is not known; use team or per-call")
        }

        let bandwidthBytes: Int
        if let mb = try a.integer("--bandwidth-mb", in: 1...1_048_576, meaning: "use a buffer size of 1 to 1048576 MB") {
            bandwidthBytes = mb << 20
            if let shortfall = MemoryBudget.shortfall(needs: Double(bandwidthBytes)) {
                throw UsageError("--bandwidth-mb: a buffer of \(mb) MB \(shortfall)")
            }
        } else {
            bandwidthBytes = ReadBandwidth.defaultBytes
        }

        // The machine's two ceilings, for 1...top threads: the roofline of every row.
        let peak = PeakFlops.measure(maxThreads: top)
        let read = ReadBandwidth.measure(maxThreads: top, bytes: bandwidthBytes)
        let cores = WorkerPool.activeCores
        func byThreads(_ values: [Double], _ format: String) -> String {
            values.enumerated().map { "\($0.offset + 1): " + String(format: format, $0.element) }.joined(separator: ", ")
        }
        if !json {
            let shape = w.hidden.isEmpty ? "softmax" : "mlp \(([w.features] + w.hidden + [w.classes]).map(String.init).joined(separator: "-")) relu"
            try Console.out("minibatch bench: \(w.name) \(shape), n = \(w.samples), d = \(w.features), K = \(w.classes), batch \(w.batchSize), "
                + "\(epochs) epochs, constant rate 0.1, l2 alpha 1e-4, dispatch \(dispatch.rawValue)")
            try Console.out("peak (FMA loop, \(Benchmark.vectorLanes)-lane vectors), GFLOP/s by threads: \(byThreads(peak.byThreads.map { $0 / 1e9 }, "%.1f")) (\(cores) cores)")
            try Console.out("read bandwidth (streaming sum over \(bandwidthBytes >> 20) MB), GB/s by threads: "
                + byThreads(read.byThreads.map { $0 / 1e9 }, "%.1f"))
            try Console.out(String(format: "per epoch: %.3f GFLOP, %.1f MB read (4nd + 8n + 8P bytes: rows, labels, row order, parameters)",
                                   w.flopsPerEpoch / 1e9, w.bytesPerEpoch / 1e6))
            try Console.out("workers   ms/epoch     samples/s   GFLOP/s   % of peak   bound ms   % of bound   limit    speed-up   loss")
        }
        let genStart = Date()
        let data = Benchmark.data(w)
        let genSeconds = Date().timeIntervalSince(genStart)
        var first: BenchmarkResult? = nil
        // The measuring loop's callback cannot throw: a line that could not be printed is
        // kept and thrown once the loop is done.
        var printFailure: LearningError? = nil
        let results = try Benchmark.run(w, data: data, epochs: epochs, workers: Array(1...top), dispatch: dispatch) { r in
            if first == nil { first = r }
            if !json && printFailure == nil {
                let roof = Roofline(w, workers: r.workers, peak: peak, read: read)
                let line = String(format: "%7d %10.2f %13.0f %9.1f %10.1f%% %10.2f %11.1f%%   %@ %9.2fx   %.6f", r.workers,
                                  r.epochSeconds * 1e3, r.samplesPerSecond, r.gflops,
                                  100 * r.gflops * 1e9 / peak.flops(threads: r.workers), roof.boundSeconds * 1e3,
                                  100 * roof.fractionReached(seconds: r.epochSeconds), roof.limit.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0),
                                  first!.epochSeconds / r.epochSeconds, r.loss)
                do throws(LearningError) { try Console.out(line) } catch { printFailure = error }
            }
        }
        if let printFailure { throw printFailure }
        let identical = results.allSatisfy { $0.parameters.map(\.bitPattern) == results[0].parameters.map(\.bitPattern) }
        if json {
            let rows: [JSONValue] = results.map { r in
                let roof = Roofline(w, workers: r.workers, peak: peak, read: read)
                return .object([
                    ("workers", .number(Double(r.workers))), ("ms_per_epoch", .number(r.epochSeconds * 1e3)),
                    ("samples_per_second", .number(r.samplesPerSecond)), ("gflops", .number(r.gflops)),
                    ("peak_gflops", .number(roof.peakFlops / 1e9)), ("peak_fraction", .number(r.gflops * 1e9 / roof.peakFlops)),
                    ("bandwidth_gb_per_s", .number(roof.bandwidth / 1e9)), ("bound_ms", .number(roof.boundSeconds * 1e3)),
                    ("bound_limit", .string(roof.limit.rawValue)),
                    ("bound_fraction", .number(roof.fractionReached(seconds: r.epochSeconds))),
                    ("speedup", .number(results[0].epochSeconds / r.epochSeconds)), ("loss", .number(r.loss)),
                ])
            }
            try Console.out(JSONValue.object([
                ("workload", .string(w.name)), ("model", .string(w.modelName)),
                ("hidden", .array(w.hidden.map { .number(Double($0)) })), ("samples", .number(Double(w.samples))),
                ("features", .number(Double(w.features))), ("classes", .number(Double(w.classes))),
                ("batch_size", .number(Double(w.batchSize))), ("epochs", .number(Double(epochs))),
                ("dispatch", .string(dispatch.rawValue)),
                ("vector_lanes", .number(Double(Benchmark.vectorLanes))), ("peak_gflops_per_core", .number(peak.perCore / 1e9)), ("peak_gflops", .number(peak.flops(threads: top) / 1e9)),
                ("peak_gflops_by_threads", .array(peak.byThreads.map { .number($0 / 1e9) })),
                ("bandwidth_buffer_bytes", .number(Double(bandwidthBytes))),
                ("bandwidth_gb_per_s_by_threads", .array(read.byThreads.map { .number($0 / 1e9) })),
                ("flops_per_epoch", .number(w.flopsPerEpoch)), ("bytes_per_epoch", .number(w.bytesPerEpoch)),
                ("cores", .number(Double(cores))), ("data_seconds", .number(genSeconds)),
                ("identical_across_workers", .bool(identical)), ("results", .array(rows)),
            ]).jsonText)
        } else {
            try Console.out("weights bitwise identical across worker counts: \(identical ? "yes" : "NO")")
        }
        return 0
    }
}
