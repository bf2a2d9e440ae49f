import DataParallel
internal import LearningKernels

extension SparseLinearWeights {
    /// Probabilities, losses and predictions of every row, in parallel blocks of rows; each
    /// row's result depends only on the row.
    func score(_ data: SparseDataset, pool: WorkerPool) -> Scores {
        precondition(data.featureCount == featureCount)
        let n = data.count, k = classCount, o = outputCount
        let block = 256
        let plan = ShardPlan(count: n, shardCount: max(1, (n + block - 1) / block))
        let slots = max(1, min(plan.shardCount, pool.workerCount))
        let scratch = ShardBuffers(shardCount: slots, length: block + block * o)
        let slotOf = ScratchSlots(count: slots)
        let scale = Float(self.scale)
        // The outputs are written through pointers, a disjoint block of rows per shard.
        let probs = UnsafeMutableBufferPointer<Float>.allocate(capacity: n * k)
        let losses = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let predicted = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        probs.initialize(repeating: 0)
        losses.initialize(repeating: 0)
        predicted.initialize(repeating: 0)
        defer {
            probs.deallocate()
            losses.deallocate()
            predicted.deallocate()
        }
        data.withCSRRows { rows in
            v.withUnsafeBufferPointer { v in
                bias.withUnsafeBufferPointer { b in
                    data.labels.withUnsafeBufferPointer { labels in
                        pool.parallelFor(plan, cost: data.nonZeroCount * o * 2 + n * k * 20) { _, range in
                            let slot = slotOf.acquire()
                            defer { slotOf.release(slot) }
                            let shifted = scratch.buffer(slot).baseAddress!, z = shifted + block
                            let lo = range.lowerBound, m = range.count
                            // Softmax scores go straight into the probabilities, which they become.
                            let out = kind == .softmax ? probs.baseAddress! + lo * k : z
                            sparseLinearForward(z: out, rows: rows, first: lo, count: m, v: v.baseAddress!, b: b.baseAddress!,
                                                scale: scale, o: o)
                            if kind == .softmax {
                                softmaxScore(probs: out, losses: losses.baseAddress! + lo, predicted: predicted.baseAddress! + lo,
                                             labels: labels.baseAddress! + lo, count: m, k: k, shifted: shifted)
                            } else {
                                sigmoidScore(probs: probs.baseAddress! + lo * 2, losses: losses.baseAddress! + lo,
                                             predicted: predicted.baseAddress! + lo, z: z, labels: labels.baseAddress! + lo,
                                             count: m)
                            }
                        }
                    }
                }
            }
        }
        return Scores(probabilities: Array(probs), losses: Array(losses), predicted: Array(predicted))
    }
}

extension LinearModel {
    /// Scores sparse rows without making them dense (O(d K) to lay the weights out, then
    /// O(non-zeros K)).
    public func score(_ data: SparseDataset, pool: WorkerPool) -> Scores {
        SparseLinearWeights(self).score(data, pool: pool)
    }
}

extension Evaluation {
    /// A linear model's figures on sparse rows.
    public init(model: LinearModel, data: SparseDataset, pool: WorkerPool) {
        self.init(scores: model.score(data, pool: pool), labels: data.labels, classes: data.classes,
                  unseenLabels: data.unseenLabels)
    }
}
