import DataParallel
import Foundation

/// What one step's combine costs across the processes of a group: the measurement behind
/// `minibatch bench --combine` (run under mpirun to measure the ranks' exchange).
public struct CombineCost: Sendable {
    /// P, the gradient's length in floats; S, the step's shards; R, the processes.
    public let parameters: Int
    public let shards: Int
    public let processes: Int
    /// How the node sums travel (``GroupCombiner/Exchange``).
    public let exchange: GroupCombiner.Exchange
    /// The bytes the first process receives from the others in one combine.
    public let bytesReceived: Int
    /// Seconds per combine on the first process, median and 90th percentile over the steps.
    public let median: Double
    public let p90: Double

    /// Times `steps` combines of a `parameters`-float gradient cut into `shards` shards, with
    /// an empty update, after `warmup` untimed ones. Every process of `group` must call it
    /// with the same arguments.
    public static func measure(group: any ProcessGroup, parameters: Int, shards: Int, steps: Int, warmup: Int = 20,
                               pool: WorkerPool) -> CombineCost {
        precondition(parameters >= 1 && shards >= 1 && steps >= 1)
        let combiner = GroupCombiner(group: group)
        let gradients = ShardBuffers(shardCount: shards, length: parameters)
        let owned = combiner.ownedShards(of: shards)
        for s in owned { for (i, j) in zip(gradients.buffer(s).indices, 0...) { gradients.buffer(s)[i] = Float(j % 7) * 1e-3 } }
        let figures = owned.map { _ in StepFigures(loss: 1, correct: 1) }
        var times: [Double] = []
        for step in 0..<(warmup + steps) {
            _ = group.broadcast(UInt8(0))  // start together
            let start = DispatchTime.now().uptimeNanoseconds
            _ = combiner.combine(gradients, figures: figures, shards: shards, stop: false, pool: pool) { _, _ in }
            let end = DispatchTime.now().uptimeNanoseconds
            if step >= warmup { times.append(Double(end - start) / 1e9) }
        }
        times.sort()
        return CombineCost(parameters: parameters, shards: shards, processes: group.size, exchange: combiner.exchange,
                           bytesReceived: combiner.lastBytesReceived, median: times[times.count / 2],
                           p90: times[min(times.count - 1, times.count * 9 / 10)])
    }
}
