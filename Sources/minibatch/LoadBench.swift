import DataParallel
import Foundation
import Learning

/// `minibatch bench --load FILE`: the time to read and parse a LIBSVM file, as training loads
/// it (in parallel on `--workers`), repeated `--repeat` times; prints the median and MB/s
/// (10^6 bytes of the file per second of reading and parsing).
enum LoadBench {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "bench", valued: ["--load", "--workers", "--repeat"], boolean: ["--json"])
        guard let path = a.string("--load") else { throw UsageError("--load needs a LIBSVM file") }
        let repeats = try a.integer("--repeat", in: 1...1000, meaning: "use a positive number of runs") ?? 3
        let pool = try WorkerPool(workers: try a.workers() ?? 0)
        var seconds: [Double] = []
        var table: SparseTable? = nil
        for _ in 0..<repeats {
            table = nil  // the previous table is freed before the next read
            let start = DispatchTime.now().uptimeNanoseconds
            table = try LIBSVMReader.read(path: path, pool: pool)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let bytes = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        let median = seconds.sorted()[seconds.count / 2]
        let rate = bytes / 1e6 / median
        let t = table!
        if a.flag("--json") {
            try Console.out(JSONValue.object([
                ("file", .string(path)), ("bytes", .number(bytes)), ("rows", .number(Double(t.count))),
                ("entries", .number(Double(t.values.count))), ("features", .number(Double(t.featureCount))),
                ("workers", .number(Double(pool.workerCount))), ("seconds", .array(seconds.map { .number($0) })),
                ("median_seconds", .number(median)), ("mb_per_second", .number(rate)),
            ]).jsonText)
        } else {
            try Console.out(String(format: "%@: %.1f MB, %d rows, %d entries, %d features; read and parsed in %.3f s "
                                       + "(median of %d) at %d worker%@: %.0f MB/s",
                                   path, bytes / 1e6, t.count, t.values.count, t.featureCount, median, repeats,
                                   pool.workerCount, pool.workerCount == 1 ? "" : "s", rate))
        }
        return 0
    }
}
