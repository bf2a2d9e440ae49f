// The CSR path of the linear models: forward pass and gradient on sparse rows, in time
// proportional to the stored entries times the outputs, never to the feature count d.
// V (d, O) is feature-major: see `SparseLinearWeights` in Learning.

/// The l1 truncation a weight is still owed, for reading it as the dense path would see it:
/// q (feature-major like V) and the u of the last step.
package struct OwedL1 {
    package let received: UnsafePointer<Float>
    package let total: Float

    package init(received: UnsafePointer<Float>, total: Float) {
        self.received = received
        self.total = total
    }
}

/// The true weight scale * v after the truncation it is owed (Learning's `LazyL1` rule with the
/// current u), without changing it. Since the truncation is cumulative, this is the weight the
/// dense path holds, which truncates every weight at every step.
@inline(__always)
func settledWeight(_ v: Float, received q: Float, total u: Float, scale: Float) -> Float {
    let w = scale * v
    if w > 0 { return max(0, w - (u + q)) }
    if w < 0 { return min(0, w + (u - q)) }
    return w
}

/// Z = X W^T + b for `count` consecutive sparse rows, W = scale * V: the scores of
/// ``sparseRowForward(z:o:entries:rows:v:b:scale:owed:)`` for rows first ..< first + count.
/// - Parameters: z (count, O) output; v (d, O) feature-major; b (O).
package func sparseLinearForward(z: UnsafeMutablePointer<Float>, rows: CSRRows, first: Int, count: Int,
                                 v: UnsafePointer<Float>, b: UnsafePointer<Float>, scale: Float, o: Int) {
    for i in 0..<count {
        let r = first &+ i
        sparseRowForward(z: z + i &* o, o: o, entries: rows.offsets[r]..<rows.offsets[r &+ 1], rows: rows, v: v, b: b,
                         scale: scale)
    }
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
package final class SparseGradient: @unchecked Sendable {
    package let outputs: Int
    /// Touched features, `count` of them.
    package private(set) var columns: UnsafeMutablePointer<Int32>
    /// (count, outputs): the gradient of each touched feature's weights.
    package private(set) var values: UnsafeMutablePointer<Float>
    /// (outputs): the bias gradient.
    package let bias: UnsafeMutablePointer<Float>
    package var count = 0
    private var capacity = 0

    package init(outputs: Int) {
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
///   - loss: softmax with O = K outputs, or sigmoid with O = 1.
///   - z: (count, O) scratch; shifted: (count) scratch.
/// - Returns: the rows' (weighted) loss sum and correct predictions with the current weights.
package func sparseLinearGradient(
    rows: CSRRows, order: UnsafePointer<Int32>, labels: UnsafePointer<Int32>, weights: UnsafePointer<Float>?, count: Int,
    loss: OutputLoss, o: Int, v: UnsafePointer<Float>, b: UnsafePointer<Float>, scale: Float, owed: OwedL1? = nil,
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
    let stats = loss == .softmax
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
package final class SparseGradientSum: @unchecked Sendable {
    package let total: SparseGradient
    /// (d): feature -> entry of `total`, -1 when not touched (restored after every sum).
    private let slots: UnsafeMutablePointer<Int32>
    private let featureCount: Int

    package init(featureCount: Int, outputs: Int) {
        self.featureCount = featureCount
        total = SparseGradient(outputs: outputs)
        slots = .allocate(capacity: featureCount)
        slots.initialize(repeating: -1, count: featureCount)
    }

    deinit { slots.deallocate() }

    /// The sum of `parts[0 ..< count]`; the first part itself when there is one.
    package func sum(_ parts: [SparseGradient], count: Int) -> SparseGradient {
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
