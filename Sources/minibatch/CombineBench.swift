import DataParallel
import Foundation
import Learning

/// `minibatch bench --combine`: the cost of one step's combine, alone or across the ranks of
/// an MPI job (`mpirun -np R minibatch bench --combine`), for W1's softmax (7,850 floats,
/// batch 256: 8 shards) and W3's network (101,770 floats, batch 128: 4 shards), or a
/// `--parameters` count and `--shards`.
enum CombineBench {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "bench", valued: ["--parameters", "--shards", "--steps", "--workers"],
                              boolean: ["--combine", "--json"])
        let steps = try a.integer("--steps", in: 1...1_000_000, meaning: "use a positive number of steps") ?? 500
        var shapes: [(name: String, parameters: Int, shards: Int)] = [("W1 softmax 785x10", 7_850, 8),
                                                                       ("W3 mlp 784-128-10", 101_770, 4)]
        if let p = try a.integer("--parameters", in: 1...100_000_000, meaning: "use a positive number of floats") {
            let s = try a.integer("--shards", in: 1...16, meaning: "use 1 to 16 shards") ?? 8
            shapes = [("custom", p, s)]
        }
        let workers = try a.workers() ?? 1
        return try RankedRun.run { rank in
            let group: any ProcessGroup = rank?.group ?? LocalProcessGroup.make(size: 1)[0]
            let pool = try WorkerPool(workers: workers)
            for shape in shapes {
                let c = CombineCost.measure(group: group, parameters: shape.parameters, shards: shape.shards, steps: steps,
                                            pool: pool)
                if group.rank == 0 {
                    try Console.out(String(format: "%@: %d floats, %d shards, %d process%@ (%@): combine median %.1f us, p90 %.1f us; "
                                 + "%d bytes received from the others per step",
                                 shape.name, c.parameters, c.shards, c.processes, c.processes == 1 ? "" : "es",
                                 c.exchange.rawValue, c.median * 1e6, c.p90 * 1e6, c.bytesReceived))
                }
            }
            return 0
        }
    }
}
