import DataParallel

// The CSR path of the linear models: forward pass, gradient and step on sparse rows, in time
// proportional to the stored entries times the outputs, never to the feature count d.
//
// Weights are kept feature-major for this path: V (d, O), V[j * O + k], so that a row's
// entry x_j reads and updates the O contiguous weights of feature j. The true weights are
// W = scale * V (scikit-learn's trick for l2 on sparse data: the decay multiplies `scale`, one
// number, instead of every weight).

/// A linear model's parameters laid out for sparse rows: W[k, j] = scale * v[j * O + k], b.
struct SparseLinearWeights: Sendable, Equatable {
    let kind: LinearModelKind
    let featureCount: Int
    let classCount: Int
    /// (featureCount, outputCount), feature-major.
    var v: [Float]
    var bias: [Float]
    /// The factor of every weight (not of the bias).
    var scale: Double

    var outputCount: Int { kind == .softmax ? classCount : 1 }

    /// The model's weights, with scale 1.
    init(_ model: LinearModel) {
        self.init(kind: model.kind, featureCount: model.featureCount, classCount: model.classCount,
                  parameters: model.parameters, scale: 1)
    }

    /// Weights from a ``LinearModel``'s flat parameter layout ([W (O, stride) | b]) whose W
    /// holds V, with W = scale * V (a checkpoint's parameters and weight scale).
    init(kind: LinearModelKind, featureCount d: Int, classCount: Int, parameters: [Float], scale: Double) {
        self.kind = kind
        featureCount = d
        self.classCount = classCount
        self.scale = scale
        let o = kind == .softmax ? classCount : 1, s = LinearModel.stride(d)
        precondition(parameters.count == o * (s + 1))
        v = Self.featureMajor(parameters, outputs: o, features: d, stride: s)
        bias = Array(parameters[(o * s)...])
    }

    /// A dense-layout weight block (O, stride) as feature-major (d, O).
    static func featureMajor(_ w: [Float], outputs o: Int, features d: Int, stride s: Int) -> [Float] {
        var out = [Float](repeating: 0, count: d * o)
        for k in 0..<o {
            for j in 0..<d { out[j * o + k] = w[k * s + j] }
        }
        return out
    }

    /// A feature-major block (d, O) in the dense layout (O, stride), padding 0.
    static func classMajor(_ v: [Float], outputs o: Int, features d: Int) -> [Float] {
        let s = LinearModel.stride(d)
        var out = [Float](repeating: 0, count: o * s)
        for k in 0..<o {
            for j in 0..<d { out[k * s + j] = v[j * o + k] }
        }
        return out
    }

    /// V and b in a ``LinearModel``'s parameter layout, without the scale (for a checkpoint).
    var unscaledParameters: [Float] {
        Self.classMajor(v, outputs: outputCount, features: featureCount) + bias
    }

    /// The model with W = scale * V, each weight rounded once to float32.
    var linearModel: LinearModel {
        let o = outputCount, d = featureCount
        var w = [Float](repeating: 0, count: o * d)
        for j in 0..<d {
            for k in 0..<o { w[k * d + j] = Float(scale * Double(v[j * o + k])) }
        }
        return LinearModel(kind: kind, featureCount: d, classCount: classCount, weights: w, bias: bias)
    }

    /// Multiplies the scale into V and sets it to 1: O(d O), for when the scale gets small.
    mutating func fold() {
        let s = scale
        v.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = Float(s * Double(p[i])) }
        }
        scale = 1
    }

    /// True when every weight, the scale and every bias are finite.
    var isFinite: Bool { scale.isFinite && v.allSatisfy(\.isFinite) && bias.allSatisfy(\.isFinite) }

    /// The fraction of the weights that are exactly 0.
    var zeroWeightFraction: Double {
        if scale == 0 { return 1 }
        return Double(v.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }) / Double(max(v.count, 1))
    }

    /// R(W) of `penalty` over the true weights, each rounded to float32 as in ``linearModel``.
    func penaltyValue(_ penalty: Penalty, l1Ratio: Double) -> Double {
        let s = scale
        return penalty.value(v.lazy.map { Float(s * Double($0)) }, l1Ratio: l1Ratio)
    }
}

/// Pointers to CSR rows: row r is entries offsets[r] ..< offsets[r + 1] of columns and values.
struct CSRRows {
    let offsets: UnsafePointer<Int>
    let columns: UnsafePointer<Int32>
    let values: UnsafePointer<Float>
}

extension SparseDataset {
    /// Runs `body` with pointers to the rows (valid inside `body` only).
    func withCSRRows<R>(_ body: (CSRRows) throws -> R) rethrows -> R {
        try rowOffsets.withUnsafeBufferPointer { offsets in
            try columns.withUnsafeBufferPointer { columns in
                try values.withUnsafeBufferPointer { values in
                    try body(CSRRows(offsets: offsets.baseAddress!, columns: columns.baseAddress!, values: values.baseAddress!))
                }
            }
        }
    }
}

/// The l1 truncation a weight is still owed, for reading it as the dense path would see it:
/// q (feature-major like V) and the u of the last step.
struct OwedL1 {
    let received: UnsafePointer<Float>
    let total: Float
}

/// The true weight scale * v after the truncation it is owed (``LazyL1``'s rule with the
/// current u), without changing it. Since the truncation is cumulative, this is the weight the
/// dense path holds, which truncates every weight at every step.
@inline(__always)
func settledWeight(_ v: Float, received q: Float, total u: Float, scale: Float) -> Float {
    let w = scale * v
    if w > 0 { return max(0, w - (u + q)) }
    if w < 0 { return min(0, w + (u - q)) }
    return w
}

/// z[k] = b[k] + scale * sum over the row's entries of V[j, k] x_j, for k < O; with `owed`,
/// z[k] = b[k] + sum of the settled true weights times x_j (see ``settledWeight``).
/// - Parameters: z (O) output; v (d, O) feature-major; b (O).
@inline(__always)
func sparseRowForward(z: UnsafeMutablePointer<Float>, o: Int, entries: Range<Int>, rows: CSRRows,
                      v: UnsafePointer<Float>, b: UnsafePointer<Float>, scale: Float, owed: OwedL1? = nil) {
    if let owed {
        z.update(repeating: 0, count: o)
        for p in entries {
            let base = Int(rows.columns[p]) &* o, x = rows.values[p]
            for k in 0..<o {
                z[k] += settledWeight(v[base + k], received: owed.received[base + k], total: owed.total, scale: scale) * x
            }
        }
        for k in 0..<o { z[k] = b[k] + z[k] }
        return
    }
    if o == 1 {
        var acc: Float = 0
        for p in entries { acc += v[Int(rows.columns[p])] * rows.values[p] }
        z[0] = b[0] + scale * acc
        return
    }
    z.update(repeating: 0, count: o)
    for p in entries {
        let vj = v + Int(rows.columns[p]) &* o, x = rows.values[p]
        for k in 0..<o { z[k] += vj[k] * x }
    }
    for k in 0..<o { z[k] = b[k] + scale * z[k] }
}

/// One shard's gradient on sparse rows: the touched features (in the order the rows first
/// touch them), each with its O summed entries sum_i dz[i, k] x_ij, and the bias gradient.
/// Storage grows to the largest shard seen and is reused from step to step.
final class SparseGradient: @unchecked Sendable {
    let outputs: Int
    /// Touched features, `count` of them.
    private(set) var columns: UnsafeMutablePointer<Int32>
    /// (count, outputs): the gradient of each touched feature's weights.
    private(set) var values: UnsafeMutablePointer<Float>
    /// (outputs): the bias gradient.
    let bias: UnsafeMutablePointer<Float>
    var count = 0
    private var capacity = 0

    init(outputs: Int) {
        self.outputs = outputs
        columns = .allocate(capacity: 1)
        values = .allocate(capacity: outputs)
        bias = .allocate(capacity: outputs)
        bias.initialize(repeating: 0, count: outputs)
    }

    deinit {
        columns.deallocate()
        values.deallocate()
        bias.deallocate()
    }

    /// Makes room for `columns` touched features, dropping the contents.
    func reserve(_ columnCount: Int) {
        guard columnCount > capacity else { return }
        let c = max(columnCount, 2 * capacity)
        self.columns.deallocate()
        values.deallocate()
        self.columns = .allocate(capacity: c)
        values = .allocate(capacity: c * outputs)
        capacity = c
    }

    /// Appends feature j with a zero gradient; returns its slot.
    @inline(__always)
    func append(_ j: Int32) -> Int32 {
        let slot = count
        columns[slot] = j
        (values + slot &* outputs).initialize(repeating: 0, count: outputs)
        count += 1
        return Int32(slot)
    }
}

/// The gradient of the summed cross-entropy of `count` sparse rows into `out`, with the
/// scores from ``sparseRowForward`` and p - y from the dense models' loss kernels (times the
/// rows' weights when given). Only the features the rows touch get entries: `slots` (d, all
/// -1 on entry and on return) maps a feature to its entry while the shard runs. With `owed`
/// the scores read the weights with the l1 truncation they are owed.
/// - Parameters:
///   - order: (count) the data rows, in batch order; labels, weights: (count), in that order.
///   - z: (count, O) scratch; shifted: (count) scratch.
/// - Returns: the rows' (weighted) loss sum and correct predictions with the current weights.
func sparseShardGradient(
    rows: CSRRows, order: UnsafePointer<Int32>, labels: UnsafePointer<Int32>, weights: UnsafePointer<Float>?, count: Int,
    kind: LinearModelKind, o: Int, v: UnsafePointer<Float>, b: UnsafePointer<Float>, scale: Float, owed: OwedL1? = nil,
    z: UnsafeMutablePointer<Float>, shifted: UnsafeMutablePointer<Float>, slots: UnsafeMutablePointer<Int32>,
    out: SparseGradient
) -> (loss: Double, correct: Int) {
    var entries = 0
    for i in 0..<count {
        let r = Int(order[i])
        sparseRowForward(z: z + i &* o, o: o, entries: rows.offsets[r]..<rows.offsets[r + 1], rows: rows, v: v, b: b,
                         scale: scale, owed: owed)
        entries += rows.offsets[r + 1] - rows.offsets[r]
    }
    let stats = kind == .softmax
        ? softmaxCrossEntropyForwardBackward(z: z, labels: labels, count: count, k: o, shifted: shifted, weights: weights)
        : sigmoidCrossEntropyForwardBackward(z: z, labels: labels, count: count, weights: weights)
    // z now holds dL/dz. Scatter each row's dz x_j into its features' entries, in row order.
    out.reserve(entries)
    out.count = 0
    let g = out.values
    for i in 0..<count {
        let r = Int(order[i]), dz = z + i &* o
        for p in rows.offsets[r]..<rows.offsets[r + 1] {
            let j = Int(rows.columns[p])
            var slot = slots[j]
            if slot < 0 {
                slot = out.append(Int32(j))
                slots[j] = slot
            }
            let gj = g + Int(slot) &* o, x = rows.values[p]
            for k in 0..<o { gj[k] += dz[k] * x }
        }
    }
    for t in 0..<out.count { slots[Int(out.columns[t])] = -1 }
    out.bias.update(repeating: 0, count: o)
    for i in 0..<count {
        let dz = z + i &* o
        for k in 0..<o { out.bias[k] += dz[k] }
    }
    return stats
}

/// Sums shard gradients in shard order (0, then 1, then 2, ...) into one sparse gradient, so
/// the sum of every entry is the same for any worker count.
final class SparseGradientSum: @unchecked Sendable {
    let total: SparseGradient
    /// (d): feature -> entry of `total`, -1 when not touched (restored after every sum).
    private let slots: UnsafeMutablePointer<Int32>
    private let featureCount: Int

    init(featureCount: Int, outputs: Int) {
        self.featureCount = featureCount
        total = SparseGradient(outputs: outputs)
        slots = .allocate(capacity: featureCount)
        slots.initialize(repeating: -1, count: featureCount)
    }

    deinit { slots.deallocate() }

    /// The sum of `parts[0 ..< count]`; the first part itself when there is one.
    func sum(_ parts: [SparseGradient], count: Int) -> SparseGradient {
        if count == 1 { return parts[0] }
        let o = total.outputs
        total.reserve(parts[..<count].reduce(0) { $0 + $1.count })
        total.count = 0
        total.bias.update(repeating: 0, count: o)
        let g = total.values
        for part in parts[..<count] {
            for t in 0..<part.count {
                let j = Int(part.columns[t])
                var slot = slots[j]
                if slot < 0 {
                    slot = total.append(Int32(j))
                    slots[j] = slot
                }
                let into = g + Int(slot) &* o, from = part.values + t &* o
                for k in 0..<o { into[k] += from[k] }
            }
            for k in 0..<o { total.bias[k] += part.bias[k] }
        }
        for t in 0..<total.count { slots[Int(total.columns[t])] = -1 }
        return total
    }
}

/// The l1 part of a penalty on the sparse path: ``CumulativeL1``'s rule (the cumulative
/// truncated gradient, as scikit-learn applies it), applied lazily, as scikit-learn does for
/// sparse input: u accumulates at every step, but a weight is truncated only when a step
/// touches its feature, and then receives all it is owed; ``truncateAll(_:)`` settles every
/// weight (at the end of each epoch). Between, a step's forward pass reads a weight as it
/// would be settled (``owed``, ``settledWeight``), so the scores are the dense path's.
/// Weights are W = scale * V: the rule runs on the true weights, u and q are in their units.
final class LazyL1 {
    let strength: Double
    /// u, in double precision.
    private(set) var total = 0.0
    private var totalForStep: Float = 0
    /// q, feature-major like V. Raw storage: steps truncate disjoint weights from several
    /// threads at once.
    private let q: UnsafeMutablePointer<Float>
    let weightCount: Int

    init(strength: Double, weightCount: Int) {
        self.strength = strength
        self.weightCount = weightCount
        q = .allocate(capacity: max(weightCount, 1))
        q.initialize(repeating: 0, count: weightCount)
    }

    deinit { q.deallocate() }

    /// A copy of q (for a checkpoint).
    var received: [Float] { Array(UnsafeBufferPointer(start: q, count: weightCount)) }

    /// q and the u of the last step, for reading weights as settled (valid while this lives).
    var owed: OwedL1 { OwedL1(received: UnsafePointer(q), total: totalForStep) }

    /// Adds this step's eta_t alpha_1 to u.
    func beginStep(eta: Double) {
        total += eta * strength
        totalForStep = Float(total)
    }

    func restore(total: Double, received: [Float]) {
        precondition(received.count == weightCount)
        self.total = total
        _ = UnsafeMutableBufferPointer(start: q, count: weightCount).update(fromContentsOf: received)
        totalForStep = Float(total)
    }

    /// Truncates the weights V[range] (true weight scale * V). With scale 1 this is
    /// ``CumulativeL1/truncate(parameters:range:)`` bit for bit.
    @inline(__always)
    func truncate(_ v: UnsafeMutablePointer<Float>, range: Range<Int>, scale: Float) {
        let u = totalForStep
        for i in range {
            let z = v[i]
            if z == 0 { continue }
            let w = scale * z
            let after: Float
            if w > 0 {
                after = max(0, w - (u + q[i]))
            } else if w < 0 {
                after = min(0, w + (u - q[i]))
            } else {
                continue
            }
            v[i] = after / scale
            q[i] += after - w
        }
    }

    /// Settles every weight with the u of the last step: O(d O).
    func truncateAll(_ weights: inout SparseLinearWeights) {
        let s = Float(weights.scale)
        weights.v.withUnsafeMutableBufferPointer { v in truncate(v.baseAddress!, range: 0..<v.count, scale: s) }
    }
}

/// The step on the touched features only, after the l2 decay has gone into the scale:
///
///     V[j, k] <- V[j, k] - (eta / scale) (G[j, k] / B)      b <- b - eta g_b / B
///
/// which is W <- W - eta G / B for the true weights; then the lazy l1 truncation of those
/// weights. O(touched features x O).
func sparseStep(_ w: inout SparseLinearWeights, gradient g: SparseGradient, eta: Float, batchSize: Int, l1: LazyL1?,
                pool: WorkerPool) {
    let o = w.outputCount, invB = 1 / Float(batchSize)
    let scale = Float(w.scale), c = eta / scale
    w.v.withUnsafeMutableBufferPointer { vb in
        let v = vb.baseAddress!
        let plan = ShardPlan(count: g.count, grain: 512, maxShards: 64)
        pool.parallelFor(plan, cost: g.count * o * 8) { _, range in
            for t in range {
                let base = Int(g.columns[t]) &* o, gt = g.values + t &* o
                for k in 0..<o { v[base + k] -= c * (gt[k] * invB) }
                l1?.truncate(v, range: base..<(base + o), scale: scale)
            }
        }
    }
    for k in 0..<o { w.bias[k] -= eta * g.bias[k] * invB }
}

// MARK: - Scoring

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
                            for i in 0..<m {
                                sparseRowForward(z: out + i * o, o: o, entries: rows.offsets[lo + i]..<rows.offsets[lo + i + 1],
                                                 rows: rows, v: v.baseAddress!, b: b.baseAddress!, scale: scale)
                            }
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
