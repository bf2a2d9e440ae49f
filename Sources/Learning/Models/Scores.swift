import DataParallel
import Foundation

/// A model's outputs for every row of a data set.
public struct Scores: Sendable {
    /// (count, classCount) class probabilities.
    public var probabilities: [Float]
    /// (count) -log p(label), NaN for rows whose label is not a class of the model.
    public var losses: [Double]
    /// (count) class index of the largest probability.
    public var predicted: [Int32]
}

extension TrainableModel {
    /// Scores every row of `data` in parallel with the model's shard kernels; each row's
    /// result depends only on the row.
    func scoreRows(_ data: Dataset, pool: WorkerPool) -> Scores {
        precondition(data.featureCount == featureCount)
        let n = data.count, k = classCount
        let identity = (0..<Int32(n)).map { $0 }
        // Shards of at most `block` rows, so the gathered rows stay small and in cache.
        let block = 256
        let plan = ShardPlan(count: n, shardCount: max(1, (n + block - 1) / block))
        let slots = max(1, min(plan.shardCount, pool.workerCount))
        let scratch = ShardBuffers(shardCount: slots, length: scratchLength(rows: block))
        let slotOf = ScratchSlots(count: slots)
        var probs = [Float](repeating: 0, count: n * k)
        var losses = [Double](repeating: 0, count: n)
        var predicted = [Int32](repeating: 0, count: n)
        data.features.withUnsafeBufferPointer { (x: UnsafeBufferPointer<Float>) -> Void in
            data.labels.withUnsafeBufferPointer { (ys: UnsafeBufferPointer<Int32>) -> Void in
                identity.withUnsafeBufferPointer { (rows: UnsafeBufferPointer<Int32>) -> Void in
                    probs.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Float>) -> Void in
                        losses.withUnsafeMutableBufferPointer { (l: inout UnsafeMutableBufferPointer<Double>) -> Void in
                            predicted.withUnsafeMutableBufferPointer { (pr: inout UnsafeMutableBufferPointer<Int32>) -> Void in
                                let (p, l, pr) = (p.baseAddress!, l.baseAddress!, pr.baseAddress!)
                                pool.parallelFor(plan) { (shard: Int, range: Range<Int>) -> Void in
                                    let lo = range.lowerBound
                                    let slot = slotOf.acquire()
                                    score(x: x.baseAddress!, labels: ys.baseAddress! + lo, rows: rows.baseAddress! + lo,
                                          count: range.count, probs: p + lo * k, losses: l + lo,
                                          predicted: pr + lo, scratch: scratch.buffer(slot).baseAddress!)
                                    slotOf.release(slot)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Scores(probabilities: probs, losses: losses, predicted: predicted)
    }
}
