import Foundation

// Forward/backward kernel pairs of the linear models on flat float32 buffers.
// Shapes: B rows in a batch (Bp = B rounded up to a multiple of 4), d features,
// s = the padded row stride (d rounded up to a multiple of the build's vector width), O outputs (K classes for
// softmax, 1 for logistic). The kernels read their rows through a list of row pointers:
// when d is a multiple of 8 they point straight into the data; otherwise the shard first
// gathers its rows into a contiguous, zero-padded block (see `LinearModel.rowPointers`).
//
// The `package` functions are the entry points that the models in Learning call: each is
// compiled here, with the target CPU, and runs a whole shard's loop per call. A linear
// model's shard is one call (``linearClassifierGradient``, ``linearClassifierScore``); an
// MLP calls the layer kernels one layer at a time.

/// The loss on a classifier's output logits.
package enum OutputLoss: Sendable {
    /// Softmax over O >= 2 logits with cross-entropy.
    case softmax
    /// One logit, sigmoid with binary cross-entropy (softmax with the negative logit fixed at 0).
    case sigmoid
}

// MARK: - Register blocks
//
// In this file, with the kernels that use them: specialised for a width only where they are
// called (see `FloatLanes`).

/// z[r, c] = x_r . w_c + b_c for an R-row x C-class block.
/// Shapes: z (R, ldz) at class offset 0; rows: R pointers to rows of `stride` floats;
/// w (C, stride); b (C).
/// Addresses advance by pointer bumps (wrapping arithmetic), keeping overflow checks out of
/// the inner loop. `ahead` and `ahead2`, when given, are rows of `stride` floats that the
/// block prefetches as it goes, one vector's address of each per step: the rows the next
/// block reads, which would otherwise arrive from memory one miss at a time.
enum ForwardBlock<V: FloatLanes, let R: Int, let C: Int> {
    @inline(__always)
    static func run(z: UnsafeMutablePointer<Float>, ldz: Int, rows: UnsafePointer<UnsafePointer<Float>>,
                    w: UnsafePointer<Float>, b: UnsafePointer<Float>, stride: Int,
                    ahead: UnsafePointer<Float>? = nil, ahead2: UnsafePointer<Float>? = nil) {
        if let ahead {
            if let ahead2 {
                run(z: z, ldz: ldz, rows: rows, w: w, b: b, stride: stride) { j in prefetch(ahead + j); prefetch(ahead2 + j) }
            } else {
                run(z: z, ldz: ldz, rows: rows, w: w, b: b, stride: stride) { j in prefetch(ahead + j) }
            }
        } else {
            run(z: z, ldz: ldz, rows: rows, w: w, b: b, stride: stride) { _ in }
        }
    }

    @inline(__always)
    private static func run(z: UnsafeMutablePointer<Float>, ldz: Int, rows: UnsafePointer<UnsafePointer<Float>>,
                            w: UnsafePointer<Float>, b: UnsafePointer<Float>, stride: Int, each: (Int) -> Void) {
        var acc = InlineArray<C, InlineArray<R, V>>(repeating: InlineArray<R, V>(repeating: V()))
        var xp = InlineArray<R, UnsafePointer<Float>>(repeating: rows[0])
        for r in 0..<R { xp[r] = rows[r] }
        var wp = InlineArray<C, UnsafePointer<Float>>(repeating: w)
        for c in 0..<C { wp[c] = w + c &* stride }
        var j = 0
        while j < stride {
            each(j)
            var xr = InlineArray<R, V>(repeating: V())
            for r in 0..<R { xr[r] = V.load(xp[r] + j) }
            for c in 0..<C {
                let wc = V.load(wp[c] + j)
                for r in 0..<R { acc[c][r].accumulate(xr[r], times: wc) }
            }
            j &+= V.width
        }
        for c in 0..<C {
            for r in 0..<R { z[r &* ldz &+ c] = acc[c][r].laneSum + b[c] }
        }
    }
}

/// g[c, j0 ..< j0 + LJ] = sum_i dz[i, c] x[i, j0 ..< j0 + LJ] for a C-class x LJ-column block (L lanes)
/// (written, not added: each element of g has exactly one block, so g needs no zeroing).
/// Shapes: g (C, stride); dz (count, ldz) at class offset 0; rows: count pointers to rows of
/// `stride` floats.
enum BackwardBlock<V: FloatLanes, let J: Int, let C: Int> {
    /// The block, advancing `ahead` (rows to prefetch, if any) by one line per row.
    @inline(__always)
    static func run(g: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>, ldz: Int,
                    rows: UnsafePointer<UnsafePointer<Float>>, count: Int, stride: Int, j0: Int, ahead: inout RowPrefetch?) {
        var acc = InlineArray<C, InlineArray<J, V>>(repeating: InlineArray<J, V>(repeating: V()))
        var dzp = dz
        for i in 0..<count {
            ahead?.advance()
            let xp = rows[i] + j0
            var xv = InlineArray<J, V>(repeating: V())
            for jj in 0..<J { xv[jj] = V.load(xp + V.width &* jj) }
            for c in 0..<C {
                let d = V(repeating: dzp[c])
                for jj in 0..<J { acc[c][jj].accumulate(xv[jj], times: d) }
            }
            dzp += ldz
        }
        for c in 0..<C {
            for jj in 0..<J {
                let offset: Int = c &* stride &+ j0 &+ V.width &* jj
                acc[c][jj].store(g + offset)
            }
        }
    }

    /// Runs the block over columns [j0, stride) in steps of J vectors; returns where it stopped.
    @inline(__always)
    static func sweep(g: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>, ldz: Int,
                      rows: UnsafePointer<UnsafePointer<Float>>, count: Int, stride: Int, from j0: Int,
                      ahead: inout RowPrefetch?) -> Int {
        var j = j0
        while j &+ V.width &* J <= stride {
            run(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: stride, j0: j, ahead: &ahead)
            j &+= V.width &* J
        }
        return j
    }
}

// MARK: - Kernels

/// A shard's rows rounded up to a multiple of 4: the forward kernel runs rows in pairs, and
/// the rows past the shard's point at a real row (their results are computed and ignored).
package func paddedRowCount(_ rows: Int) -> Int { (rows + 3) / 4 * 4 }

/// Copies rows `rows[0..<count]` of x into xg with stride s, zero-filling the padding
/// columns and the rows from count up to `paddedCount`.
///
/// Rows are copied four at a time, a vector from each in turn: four independent streams keep
/// more cache misses in flight than one row after another (about 1.5x faster on a shuffled
/// batch, where every row starts with a miss).
/// - Parameters: xg (paddedCount, s) output; x (n, d); rows (count).
@inline(__always)
func gatherRows<V: FloatLanes>(_: V.Type, xg: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, rows: UnsafePointer<Int32>,
                                count: Int, paddedCount: Int, d: Int, stride s: Int) {
    var r = 0
    while r + 4 <= count {
        let a0 = x + Int(rows[r]) &* d, a1 = x + Int(rows[r + 1]) &* d
        let a2 = x + Int(rows[r + 2]) &* d, a3 = x + Int(rows[r + 3]) &* d
        let d0 = xg + r &* s, d1 = d0 + s, d2 = d1 + s, d3 = d2 + s
        var j = 0
        while j &+ V.width <= d {
            V.load(a0 + j).store(d0 + j)
            V.load(a1 + j).store(d1 + j)
            V.load(a2 + j).store(d2 + j)
            V.load(a3 + j).store(d3 + j)
            j &+= V.width
        }
        while j < d {
            d0[j] = a0[j]; d1[j] = a1[j]; d2[j] = a2[j]; d3[j] = a3[j]
            j &+= 1
        }
        while j < s {
            d0[j] = 0; d1[j] = 0; d2[j] = 0; d3[j] = 0
            j &+= 1
        }
        r &+= 4
    }
    while r < count {
        let dst = xg + r &* s
        dst.update(from: x + Int(rows[r]) &* d, count: d)
        if s > d { (dst + d).update(repeating: 0, count: s - d) }
        r &+= 1
    }
    if paddedCount > count { (xg + count &* s).update(repeating: 0, count: (paddedCount - count) &* s) }
}

/// Points `pointers[0..<paddedCount]` at the rows `rows[0..<count]` of x: straight into x
/// when a row needs no padding (d == s), else into `gathered` (paddedCount, s), a zero-padded
/// copy. Pointers from count on repeat the first row (their results are computed and ignored).
package func inputRowPointers(_ pointers: UnsafeMutablePointer<UnsafePointer<Float>>, gathered: UnsafeMutablePointer<Float>?,
                              x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int, paddedCount: Int, d: Int,
                              stride s: Int, lanes: LaneWidth = .native) {
    switch lanes {
    case .eight:
        inputRowPointers(SIMD8<Float>.self, pointers, gathered: gathered, x: x, rows: rows, count: count,
                         paddedCount: paddedCount, d: d, stride: s)
    case .sixteen:
        inputRowPointers(SIMD16<Float>.self, pointers, gathered: gathered, x: x, rows: rows, count: count,
                         paddedCount: paddedCount, d: d, stride: s)
    }
}

@inline(__always)
func inputRowPointers<V: FloatLanes>(_: V.Type, _ pointers: UnsafeMutablePointer<UnsafePointer<Float>>,
                                     gathered: UnsafeMutablePointer<Float>?, x: UnsafePointer<Float>, rows: UnsafePointer<Int32>,
                                     count: Int, paddedCount: Int, d: Int, stride s: Int) {
    if let gathered {
        gatherRows(V.self, xg: gathered, x: x, rows: rows, count: count, paddedCount: count, d: d, stride: s)
        for i in 0..<count { pointers[i] = UnsafePointer(gathered + i &* s) }
    } else {
        for i in 0..<count { pointers[i] = x + Int(rows[i]) &* d }
    }
    for i in count..<paddedCount { pointers[i] = pointers[0] }
}

/// Z = X W^T + b, the forward kernel of a dense layer.
///
/// Blocks of 2 rows x 5 outputs: 10 independent accumulator chains (the FMA latency times
/// its throughput), 2 + 5 loads per 10 FMAs. With few outputs (a softmax layer) the rows are
/// the outer loop: a pair of rows is read by every output block while it is in L1, and the
/// first blocks prefetch the next pair, whose rows (shuffled, so each one a fresh stream
/// from memory) then arrive while this pair is computed. With many outputs (a hidden layer)
/// the outputs are the outer loop, so a block's 5 rows of W stay in L1 while every row
/// passes, instead of all of W streaming from L2 for every pair of rows; the first output
/// block prefetches the rows.
/// - Parameters: z (Bp, ldz) output, columns 0..<O written; rows: Bp pointers to rows of s
///   floats (Bp a multiple of 4); w (O, s); b (O).
package func linearForward(z: UnsafeMutablePointer<Float>, ldz: Int, rows: UnsafePointer<UnsafePointer<Float>>, count: Int,
                           w: UnsafePointer<Float>, b: UnsafePointer<Float>, stride s: Int, o: Int,
                           lanes: LaneWidth = .native) {
    switch lanes {
    case .eight: linearForward(SIMD8<Float>.self, z: z, ldz: ldz, rows: rows, count: count, w: w, b: b, stride: s, o: o)
    case .sixteen: linearForward(SIMD16<Float>.self, z: z, ldz: ldz, rows: rows, count: count, w: w, b: b, stride: s, o: o)
    }
}

@inline(__always)
func linearForward<V: FloatLanes>(_: V.Type, z: UnsafeMutablePointer<Float>, ldz: Int, rows: UnsafePointer<UnsafePointer<Float>>,
                                  count: Int, w: UnsafePointer<Float>, b: UnsafePointer<Float>, stride s: Int, o: Int) {
    precondition(count % 2 == 0)
    @inline(__always)
    func block(_ i: Int, _ k: Int, _ width: Int, _ ahead: UnsafePointer<Float>?, _ ahead2: UnsafePointer<Float>?) {
        let zi = z + (i &* ldz &+ k), ri = rows + i, wk = w + k &* s, bk = b + k
        switch width {
        case 5: ForwardBlock<V, 2, 5>.run(z: zi, ldz: ldz, rows: ri, w: wk, b: bk, stride: s, ahead: ahead, ahead2: ahead2)
        case 4: ForwardBlock<V, 2, 4>.run(z: zi, ldz: ldz, rows: ri, w: wk, b: bk, stride: s, ahead: ahead, ahead2: ahead2)
        case 3: ForwardBlock<V, 2, 3>.run(z: zi, ldz: ldz, rows: ri, w: wk, b: bk, stride: s, ahead: ahead, ahead2: ahead2)
        case 2: ForwardBlock<V, 2, 2>.run(z: zi, ldz: ldz, rows: ri, w: wk, b: bk, stride: s, ahead: ahead, ahead2: ahead2)
        default: ForwardBlock<V, 2, 1>.run(z: zi, ldz: ldz, rows: ri, w: wk, b: bk, stride: s, ahead: ahead, ahead2: ahead2)
        }
    }
    if o > 10 {
        var k = 0
        while k < o {
            let width = min(5, o - k)
            var i = 0
            while i < count {
                let next = k == 0 && i + 4 <= count
                block(i, k, width, next ? rows[i + 2] : nil, next ? rows[i + 3] : nil)
                i += 2
            }
            k += width
        }
    } else {
        // Which output block prefetches which of the next two rows: the first two blocks one
        // each, or the only block both.
        let single = o <= 5
        var i = 0
        while i < count {
            let next = i + 4 <= count
            var k = 0, pass = 0
            while k < o {
                let width = min(5, o - k)
                let ahead: UnsafePointer<Float>? = next && pass < 2 ? rows[i + 2 + pass] : nil
                let ahead2: UnsafePointer<Float>? = next && single ? rows[i + 3] : nil
                block(i, k, width, ahead, ahead2)
                k += width
                pass += 1
            }
            i += 2
        }
    }
}

/// dW = dZ^T X, db = column sums of dZ (both overwritten): the weight half of a dense
/// layer's backward kernel.
/// - Parameters: dw (O, s) output; db (O) output; dz (B, ldz), columns 0..<O read;
///   rows: B pointers to rows of s floats.
package func linearBackward(dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>, ldz: Int,
                            rows: UnsafePointer<UnsafePointer<Float>>, count: Int, stride s: Int, o: Int,
                            ahead: RowPrefetch? = nil, lanes: LaneWidth = .native) {
    switch lanes {
    case .eight:
        linearBackward(SIMD8<Float>.self, dw: dw, db: db, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, o: o, ahead: ahead)
    case .sixteen:
        linearBackward(SIMD16<Float>.self, dw: dw, db: db, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, o: o, ahead: ahead)
    }
}

@inline(__always)
func linearBackward<V: FloatLanes>(_: V.Type, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
                                   dz: UnsafePointer<Float>, ldz: Int, rows: UnsafePointer<UnsafePointer<Float>>, count: Int,
                                   stride s: Int, o: Int, ahead: RowPrefetch?) {
    var ahead = ahead
    if o > 10 {
        // Many outputs (a hidden layer): columns outer, so a block of two vectors' columns of
        // the rows stays in L1 while every output block runs over it.
        var j = 0
        while j < s {
            let wide = j + 2 * V.width <= s
            var k = 0
            while k + 5 <= o {
                if wide {
                    BackwardBlock<V, 2, 5>.run(g: dw + k * s, dz: dz + k, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                } else {
                    BackwardBlock<V, 1, 5>.run(g: dw + k * s, dz: dz + k, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                }
                k += 5
            }
            if k < o {
                let g = dw + k * s, d = dz + k
                switch (o - k, wide) {
                case (4, true): BackwardBlock<V, 2, 4>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                case (4, false): BackwardBlock<V, 1, 4>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                case (3, true): BackwardBlock<V, 2, 3>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                case (3, false): BackwardBlock<V, 1, 3>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                case (2, true): BackwardBlock<V, 2, 2>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                case (2, false): BackwardBlock<V, 1, 2>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                case (_, true): BackwardBlock<V, 2, 1>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                default: BackwardBlock<V, 1, 1>.run(g: g, dz: d, ldz: ldz, rows: rows, count: count, stride: s, j0: j, ahead: &ahead)
                }
            }
            j += wide ? 2 * V.width : V.width
        }
    } else {
        var k = 0
        while k + 5 <= o {
            backwardClassBlock(V.self, 5, dw + k * s, dz + k, ldz, rows, count, s, &ahead)
            k += 5
        }
        if k < o { backwardClassBlock(V.self, o - k, dw + k * s, dz + k, ldz, rows, count, s, &ahead) }
    }
    db.update(repeating: 0, count: o)
    for i in 0..<count {
        let dzi = dz + i * ldz
        for c in 0..<o { db[c] += dzi[c] }
    }
}

/// dX = dZ W, the input half of a dense layer's backward kernel (what the layer below needs).
///
/// It is the weight-gradient kernel with rows and outputs exchanged: dX[i, :] = sum_c dZ[i, c] W[c, :]
/// is ``linearBackward``'s dW[c, :] = sum_i dZ[i, c] X[i, :] with the rows of W in place of
/// the rows of X and dZ^T in place of dZ, so the same register blocks do the work.
/// - Parameters: dx (B, s) output, every column written (padding columns get 0 because W's
///   are 0); dz (B, ldz), columns 0..<O read; w (O, s);
///   transposed: (O, B) scratch; wRows: O pointers of scratch.
package func linearInputGradient(dx: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>, ldz: Int, count: Int,
                                 w: UnsafePointer<Float>, stride s: Int, o: Int,
                                 transposed: UnsafeMutablePointer<Float>, wRows: UnsafeMutablePointer<UnsafePointer<Float>>,
                                 lanes: LaneWidth = .native) {
    switch lanes {
    case .eight:
        linearInputGradient(SIMD8<Float>.self, dx: dx, dz: dz, ldz: ldz, count: count, w: w, stride: s, o: o,
                            transposed: transposed, wRows: wRows)
    case .sixteen:
        linearInputGradient(SIMD16<Float>.self, dx: dx, dz: dz, ldz: ldz, count: count, w: w, stride: s, o: o,
                            transposed: transposed, wRows: wRows)
    }
}

func linearInputGradient<V: FloatLanes>(_: V.Type, dx: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>, ldz: Int,
                                        count: Int, w: UnsafePointer<Float>, stride s: Int, o: Int,
                                        transposed: UnsafeMutablePointer<Float>,
                                        wRows: UnsafeMutablePointer<UnsafePointer<Float>>) {
    for c in 0..<o { wRows[c] = w + c &* s }
    for i in 0..<count {
        let dzi = dz + i &* ldz
        for c in 0..<o { transposed[c &* count &+ i] = dzi[c] }
    }
    var i = 0
    while i + 5 <= count {
        var none: RowPrefetch? = nil
        backwardClassBlock(V.self, 5, dx + i &* s, transposed + i, count, UnsafePointer(wRows), o, s, &none)
        i += 5
    }
    if i < count {
        var none: RowPrefetch? = nil
        backwardClassBlock(V.self, count - i, dx + i &* s, transposed + i, count, UnsafePointer(wRows), o, s, &none)
    }
}

/// One block of 1 to 5 classes over all columns: wide column blocks first, narrower ones
/// for the remainder (s is a multiple of the width). Blocks keep 8 to 16 accumulators in registers.
@inline(__always)
private func backwardClassBlock<V: FloatLanes>(_: V.Type, _ classes: Int, _ g: UnsafeMutablePointer<Float>, _ dz: UnsafePointer<Float>,
                                _ ldz: Int, _ rows: UnsafePointer<UnsafePointer<Float>>, _ count: Int, _ s: Int,
                                _ ahead: inout RowPrefetch?) {
    var j = 0
    switch classes {
    case 5:
        j = BackwardBlock<V, 2, 5>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
        j = BackwardBlock<V, 1, 5>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
    case 4:
        j = BackwardBlock<V, 2, 4>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
        j = BackwardBlock<V, 1, 4>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
    case 3:
        j = BackwardBlock<V, 3, 3>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
        j = BackwardBlock<V, 1, 3>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
    case 2:
        j = BackwardBlock<V, 4, 2>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
        j = BackwardBlock<V, 1, 2>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
    default:
        j = BackwardBlock<V, 8, 1>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
        j = BackwardBlock<V, 2, 1>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
        j = BackwardBlock<V, 1, 1>.sweep(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: s, from: j, ahead: &ahead)
    }
}

/// Softmax with cross-entropy, forward and backward in one pass over Z:
/// p = softmax(z) (stable: the row's max m is subtracted before exp),
/// loss = -log p_y = log(sum_k exp(z_k - m)) - (z_y - m), and Z is overwritten by dL/dz = p - y.
/// With per-row weights w, row i's loss is w_i L_i and its dL/dz is w_i (p - y); without
/// them (nil) the kernel takes its unweighted loop, with no per-row multiply.
/// - Parameters:
///   - z: (B, K), logits in, p - y out.
///   - labels: (B) class index of each row, in 0..<K.
///   - shifted: (B) scratch.
///   - weights: (B) weight of each row, or nil for all 1.
/// - Returns: the sum of the rows' (weighted) losses and the number of rows whose argmax is the label.
package func softmaxCrossEntropyForwardBackward(
    z: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, count: Int, k: Int, shifted: UnsafeMutablePointer<Float>,
    weights: UnsafePointer<Float>? = nil, lanes: LaneWidth = .native
) -> (loss: Double, correct: Int) {
    switch lanes {
    case .eight:
        softmaxCrossEntropyForwardBackward(SIMD8<Float>.self, z: z, labels: labels, count: count, k: k, shifted: shifted,
                                           weights: weights)
    case .sixteen:
        softmaxCrossEntropyForwardBackward(SIMD16<Float>.self, z: z, labels: labels, count: count, k: k, shifted: shifted,
                                           weights: weights)
    }
}

@inline(__always)
func softmaxCrossEntropyForwardBackward<V: FloatLanes>(
    _: V.Type, z: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, count: Int, k: Int,
    shifted: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>?
) -> (loss: Double, correct: Int) {
    var correct = 0
    for i in 0..<count {
        let zi = z + i * k
        let y = Int(labels[i])
        var m = zi[0]
        var arg = 0
        for c in 1..<k where zi[c] > m { m = zi[c]; arg = c }
        if arg == y { correct += 1 }
        shifted[i] = zi[y] - m
        for c in 0..<k { zi[c] -= m }
    }
    V.exponentiate(z, count: count * k)
    var loss = 0.0
    if let weights {
        for i in 0..<count {
            let zi = z + i * k
            var s: Float = 0
            for c in 0..<k { s += zi[c] }
            let w = weights[i]
            loss += Double(w) * Double(logf(s) - shifted[i])
            let inv = 1 / s
            for c in 0..<k { zi[c] *= inv }
            zi[Int(labels[i])] -= 1
            for c in 0..<k { zi[c] *= w }
        }
        return (loss, correct)
    }
    for i in 0..<count {
        let zi = z + i * k
        var s: Float = 0
        for c in 0..<k { s += zi[c] }
        loss += Double(logf(s) - shifted[i])
        let inv = 1 / s
        for c in 0..<k { zi[c] *= inv }
        zi[Int(labels[i])] -= 1
    }
    return (loss, correct)
}

/// Sigmoid with binary cross-entropy, the two-class model with the negative logit fixed at 0:
/// p = sigmoid(z) = softmax(0, z)[1], loss = log(1 + exp(z)) - y z (computed without overflow),
/// and z is overwritten by dL/dz = p - y (times w_i, and the loss too, with per-row weights).
/// - Parameters:
///   - z: (B), logits in, p - y out.
///   - labels: (B) 0 for the negative class, 1 for the positive.
///   - weights: (B) weight of each row, or nil for all 1 (the unweighted loop).
@inline(__always)
package func sigmoidCrossEntropyForwardBackward(
    z: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, count: Int, weights: UnsafePointer<Float>? = nil
) -> (loss: Double, correct: Int) {
    var loss = 0.0
    var correct = 0
    if let weights {
        for i in 0..<count {
            let zi = z[i]
            let y: Float = labels[i] == 1 ? 1 : 0
            if (zi > 0) == (y == 1) { correct += 1 }
            let w = weights[i]
            loss += Double(w) * Double(max(zi, 0) + log1pf(expf(-abs(zi))) - y * zi)
            z[i] = (sigmoid(zi) - y) * w
        }
        return (loss, correct)
    }
    for i in 0..<count {
        let zi = z[i]
        let y: Float = labels[i] == 1 ? 1 : 0
        if (zi > 0) == (y == 1) { correct += 1 }
        // log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)
        loss += Double(max(zi, 0) + log1pf(expf(-abs(zi))) - y * zi)
        z[i] = sigmoid(zi) - y
    }
    return (loss, correct)
}

/// sigmoid(z) = 1 / (1 + e^-z), evaluated so that neither branch overflows.
@inline(__always)
func sigmoid(_ z: Float) -> Float {
    if z >= 0 { return 1 / (1 + expf(-z)) }
    let e = expf(z)
    return e / (1 + e)
}

/// Softmax probabilities and per-row cross-entropy for scoring (no gradient).
/// - Parameters:
///   - probs: (B, K), logits in, probabilities out.
///   - losses: (B), -log p_y, or NaN where the label is negative (not a class of the model).
///   - predicted: (B), the argmax class (the first of equal maxima).
///   - shifted: (B) scratch.
package func softmaxScore(
    probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
    labels: UnsafePointer<Int32>, count: Int, k: Int, shifted: UnsafeMutablePointer<Float>, lanes: LaneWidth = .native
) {
    switch lanes {
    case .eight:
        softmaxScore(SIMD8<Float>.self, probs: probs, losses: losses, predicted: predicted, labels: labels, count: count, k: k,
                     shifted: shifted)
    case .sixteen:
        softmaxScore(SIMD16<Float>.self, probs: probs, losses: losses, predicted: predicted, labels: labels, count: count, k: k,
                     shifted: shifted)
    }
}

@inline(__always)
func softmaxScore<V: FloatLanes>(
    _: V.Type, probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>,
    predicted: UnsafeMutablePointer<Int32>, labels: UnsafePointer<Int32>, count: Int, k: Int,
    shifted: UnsafeMutablePointer<Float>
) {
    for i in 0..<count {
        let zi = probs + i * k
        var m = zi[0]
        var arg = 0
        for c in 1..<k where zi[c] > m { m = zi[c]; arg = c }
        predicted[i] = Int32(arg)
        let y = Int(labels[i])
        shifted[i] = y >= 0 ? zi[y] - m : 0
        for c in 0..<k { zi[c] -= m }
    }
    V.exponentiate(probs, count: count * k)
    for i in 0..<count {
        let zi = probs + i * k
        var s: Float = 0
        for c in 0..<k { s += zi[c] }
        losses[i] = labels[i] >= 0 ? Double(logf(s) - shifted[i]) : .nan
        let inv = 1 / s
        for c in 0..<k { zi[c] *= inv }
    }
}

/// Two-column probabilities (1 - p, p) with p = sigmoid(z), and per-row cross-entropy.
/// - Parameters:
///   - z: (B) logits. probs: (B, 2) output. losses, predicted: (B) as in ``softmaxScore``.
@inline(__always)
package func sigmoidScore(
    probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
    z: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int
) {
    for i in 0..<count {
        let zi = z[i]
        let p = sigmoid(zi)
        probs[2 * i] = 1 - p
        probs[2 * i + 1] = p
        predicted[i] = zi > 0 ? 1 : 0
        let y = labels[i]
        losses[i] = y >= 0 ? Double(max(zi, 0) + log1pf(expf(-abs(zi))) - (y == 1 ? zi : 0)) : .nan
    }
}

// MARK: - A linear classifier's shard

/// Scratch floats one shard of ``linearClassifierGradient`` or ``linearClassifierScore``
/// needs for `rows` rows (Bp of them padded): Bp row pointers (2 floats hold one), the
/// gathered rows (Bp, s) when d is not a multiple of 8, the scores Z (Bp, O) and a per-row
/// temporary (Bp).
package func linearClassifierScratchLength(rows: Int, d: Int, stride s: Int, o: Int) -> Int {
    let rp = paddedRowCount(rows)
    return 2 * rp + (s == d ? 0 : rp * s) + rp * max(o, 1) + rp
}

/// Lays out a shard's scratch and fills its row pointers: straight into x when a row needs
/// no padding (d a multiple of 8), else into a gathered, zero-padded copy.
/// - Returns: the Bp row pointers, the scores buffer z (Bp, O) and a per-row temporary (Bp).
@inline(__always)
private func linearClassifierRows<V: FloatLanes>(_: V.Type, x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int, d: Int, stride s: Int,
                                  o: Int, scratch: UnsafeMutablePointer<Float>)
    -> (rows: UnsafePointer<UnsafePointer<Float>>, z: UnsafeMutablePointer<Float>, tmp: UnsafeMutablePointer<Float>)
{
    let rp = paddedRowCount(count)
    // The pointers come first: scratch buffers are 64-byte aligned and 2 floats hold one pointer.
    let pointers = UnsafeMutableRawPointer(scratch).bindMemory(to: UnsafePointer<Float>.self, capacity: rp)
    var next = scratch + 2 * rp
    inputRowPointers(V.self, pointers, gathered: s == d ? nil : next, x: x, rows: rows, count: count, paddedCount: rp, d: d, stride: s)
    if s != d { next += rp * s }
    return (UnsafePointer(pointers), next, next + rp * max(o, 1))
}

/// The gradient of a linear classifier's summed cross-entropy over one shard's rows, the
/// forward pass, the loss and the backward pass in one call:
///
///     Z = X W^T + b,   dZ = P - Y (times w_i per row with weights),   dW = dZ^T X,   db = sum_rows dZ
///
/// with P = softmax(Z) over O = K outputs, or sigmoid(Z) with O = 1.
/// - Parameters:
///   - grad: (O s + O) output, [dW (O, s) | db (O)], overwritten.
///   - x: (n, d) the data; rows: (count) the shard's row indices into x; labels: (count);
///     weights: (count) or nil for all 1.
///   - params: [W (O, s) | b (O)], s = d rounded up to a multiple of 8 (padding columns 0).
///   - scratch: ``linearClassifierScratchLength(rows:d:stride:o:)`` floats, 64-byte aligned.
/// - Returns: the rows' (weighted) loss sum and correct predictions.
package func linearClassifierGradient(
    grad: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, labels: UnsafePointer<Int32>,
    weights: UnsafePointer<Float>?, count: Int, params: UnsafePointer<Float>, d: Int, stride s: Int, o: Int,
    loss: OutputLoss, scratch: UnsafeMutablePointer<Float>, ahead: RowPrefetch? = nil, lanes: LaneWidth = .native
) -> (loss: Double, correct: Int) {
    switch lanes {
    case .eight:
        linearClassifierGradient(SIMD8<Float>.self, grad: grad, x: x, rows: rows, labels: labels, weights: weights, count: count,
                                 params: params, d: d, stride: s, o: o, loss: loss, scratch: scratch, ahead: ahead)
    case .sixteen:
        linearClassifierGradient(SIMD16<Float>.self, grad: grad, x: x, rows: rows, labels: labels, weights: weights, count: count,
                                 params: params, d: d, stride: s, o: o, loss: loss, scratch: scratch, ahead: ahead)
    }
}

private func linearClassifierGradient<V: FloatLanes>(
    _: V.Type, grad: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, rows: UnsafePointer<Int32>,
    labels: UnsafePointer<Int32>, weights: UnsafePointer<Float>?, count: Int, params: UnsafePointer<Float>, d: Int,
    stride s: Int, o: Int, loss: OutputLoss, scratch: UnsafeMutablePointer<Float>, ahead: RowPrefetch?
) -> (loss: Double, correct: Int) {
    let (xr, z, tmp) = linearClassifierRows(V.self, x: x, rows: rows, count: count, d: d, stride: s, o: o, scratch: scratch)
    let w = params, b = params + o &* s
    linearForward(V.self, z: z, ldz: o, rows: xr, count: paddedRowCount(count), w: w, b: b, stride: s, o: o)
    let stats = loss == .softmax
        ? softmaxCrossEntropyForwardBackward(V.self, z: z, labels: labels, count: count, k: o, shifted: tmp, weights: weights)
        : sigmoidCrossEntropyForwardBackward(z: z, labels: labels, count: count, weights: weights)
    linearBackward(V.self, dw: grad, db: grad + o &* s, dz: z, ldz: o, rows: xr, count: count, stride: s, o: o, ahead: ahead)
    return stats
}

/// A linear classifier's class probabilities, per-row losses and predicted classes for one
/// shard's rows: Z = X W^T + b, then ``softmaxScore`` (O = K) or ``sigmoidScore`` (O = 1).
/// - Parameters:
///   - probs: (count, K) output. losses: (count) output, NaN for negative labels.
///     predicted: (count) output.
///   - x, rows, labels, params, scratch: as for ``linearClassifierGradient``; labels may be
///     negative (a label the model does not know).
package func linearClassifierScore(
    probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
    x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, labels: UnsafePointer<Int32>, count: Int,
    params: UnsafePointer<Float>, d: Int, stride s: Int, o: Int, loss: OutputLoss, scratch: UnsafeMutablePointer<Float>,
    lanes: LaneWidth = .native
) {
    switch lanes {
    case .eight:
        linearClassifierScore(SIMD8<Float>.self, probs: probs, losses: losses, predicted: predicted, x: x, rows: rows,
                              labels: labels, count: count, params: params, d: d, stride: s, o: o, loss: loss, scratch: scratch)
    case .sixteen:
        linearClassifierScore(SIMD16<Float>.self, probs: probs, losses: losses, predicted: predicted, x: x, rows: rows,
                              labels: labels, count: count, params: params, d: d, stride: s, o: o, loss: loss, scratch: scratch)
    }
}

private func linearClassifierScore<V: FloatLanes>(
    _: V.Type, probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>,
    predicted: UnsafeMutablePointer<Int32>, x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, labels: UnsafePointer<Int32>,
    count: Int, params: UnsafePointer<Float>, d: Int, stride s: Int, o: Int, loss: OutputLoss,
    scratch: UnsafeMutablePointer<Float>
) {
    let (xr, z, tmp) = linearClassifierRows(V.self, x: x, rows: rows, count: count, d: d, stride: s, o: o, scratch: scratch)
    linearForward(V.self, z: z, ldz: o, rows: xr, count: paddedRowCount(count), w: params, b: params + o &* s, stride: s, o: o)
    if loss == .softmax {
        probs.update(from: z, count: count &* o)
        softmaxScore(V.self, probs: probs, losses: losses, predicted: predicted, labels: labels, count: count, k: o, shifted: tmp)
    } else {
        sigmoidScore(probs: probs, losses: losses, predicted: predicted, z: z, labels: labels, count: count)
    }
}
