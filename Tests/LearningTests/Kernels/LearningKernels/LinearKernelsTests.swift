import Foundation
import Testing
@testable import Learning
@testable import LearningKernels

/// The worked numbers of the lecture notes (shared/seeds), through the kernels.
@Suite struct LinearKernelsTests {
    /// Softmax cross-entropy of logits z = log p (so softmax(z) = p) for one row.
    func softmaxLoss(_ p: [Float], label: Int) -> (loss: Double, dz: [Float]) {
        var z = p.map { logf($0) }
        let labels: [Int32] = [Int32(label)]
        var shifted: [Float] = [0]
        let r = z.withUnsafeMutableBufferPointer { zb in
            softmaxCrossEntropyForwardBackward(z: zb.baseAddress!, labels: labels, count: 1, k: p.count, shifted: &shifted)
        }
        return (r.loss, z)
    }

    @Test func softmaxLossOfTheWorkedExample() {
        // p = (0.05, 0.10, 0.15, 0.60, 0.10), correct class 4 (index 3): -log 0.60 = 0.5108.
        let p: [Float] = [0.05, 0.10, 0.15, 0.60, 0.10]
        #expect(abs(softmaxLoss(p, label: 3).loss - 0.5108) < 1e-4)
        // With p_correct = 0.05: -log 0.05 = 2.9957.
        #expect(abs(softmaxLoss(p, label: 0).loss - 2.9957) < 1e-4)
    }

    @Test(arguments: [(0.95, 0.0513), (0.50, 0.6931), (0.01, 4.6052)])
    func negativeLogOfCorrectProbability(p: Double, expected: Double) {
        let rest = Float((1 - p) / 2)
        #expect(abs(softmaxLoss([Float(p), rest, rest], label: 0).loss - expected) < 1e-4)
    }

    @Test func softmaxGradientIsPMinusY() {
        // p = (0.10, 0.20, 0.70), y = class 1 (index 0): dL/dz = (-0.90, 0.20, 0.70).
        let dz = softmaxLoss([0.10, 0.20, 0.70], label: 0).dz
        for (a, b) in zip(dz, [Float(-0.90), 0.20, 0.70]) { #expect(abs(a - b) < 1e-6) }
    }

    @Test(arguments: [(1, 0.9, 0.1054), (1, 0.1, 2.3026), (0, 0.1, 0.1054), (0, 0.9, 2.3026)])
    func binaryCrossEntropy(y: Int32, p: Double, expected: Double) {
        var z: [Float] = [Float(log(p / (1 - p)))]
        let r = z.withUnsafeMutableBufferPointer { zb in
            sigmoidCrossEntropyForwardBackward(z: zb.baseAddress!, labels: [y], count: 1)
        }
        #expect(abs(r.loss - expected) < 1e-4)
        #expect(abs(Double(z[0]) - (p - Double(y))) < 1e-6)  // dL/dz = p - y
    }

    @Test func softmaxIsStableForHugeLogits() {
        var z: [Float] = [1000, 0, -1000]
        var shifted: [Float] = [0]
        let r = z.withUnsafeMutableBufferPointer { zb in
            softmaxCrossEntropyForwardBackward(z: zb.baseAddress!, labels: [1], count: 1, k: 3, shifted: &shifted)
        }
        #expect(abs(r.loss - 1000) < 1e-3)
        #expect(z.allSatisfy { $0.isFinite })
        var s: [Float] = [-200]
        let b = s.withUnsafeMutableBufferPointer { sb in sigmoidCrossEntropyForwardBackward(z: sb.baseAddress!, labels: [1], count: 1) }
        #expect(abs(b.loss - 200) < 1e-3)
    }

    @Test func linearForwardAndBackwardMatchHandArithmetic() {
        // X rows (picked in order 1, 0): x1 = (1, 2), x0 = (3, -1); W = [[1, 0], [2, 1]], b = (0.5, -1).
        let x: [Float] = [3, -1, 1, 2]
        let s = 16  // padded stride: a multiple of either vector width
        var xg = [Float](repeating: .nan, count: 4 * s)
        gatherRows(SIMD8<Float>.self, xg: &xg, x: x, rows: [1, 0], count: 2, paddedCount: 4, d: 2, stride: s)
        #expect(Array(xg[0..<s]) == [1, 2] + [Float](repeating: 0, count: s - 2) && Array(xg[s..<(s + 2)]) == [3, -1])
        #expect(xg[(s + 2)...].allSatisfy { $0 == 0 })
        var w = [Float](repeating: 0, count: 2 * s)
        w[0] = 1; w[s] = 2; w[s + 1] = 1
        let b: [Float] = [0.5, -1]
        var z = [Float](repeating: 0, count: 4 * 2)
        let ptrs = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: 4)
        defer { ptrs.deallocate() }
        let xb = UnsafeMutablePointer<Float>.allocate(capacity: xg.count)
        defer { xb.deallocate() }
        xb.initialize(from: xg, count: xg.count)
        for r in 0..<4 { ptrs[r] = UnsafePointer(xb + r * s) }
        linearForward(z: &z, ldz: 2, rows: ptrs, count: 4, w: w, b: b, stride: s, o: 2)
        // z(x1) = (1 + 0.5, 2 + 2 - 1) = (1.5, 3); z(x0) = (3.5, 6 - 1 - 1) = (3.5, 4).
        #expect(Array(z[0..<4]) == [1.5, 3, 3.5, 4])
        var dw = [Float](repeating: .nan, count: 2 * s), db: [Float] = [.nan, .nan]
        let dz: [Float] = [1, -1, 0.5, 2]
        linearBackward(dw: &dw, db: &db, dz: dz, ldz: 2, rows: ptrs, count: 2, stride: s, o: 2)
        // dW = dz^T X_rows (overwriting): row 0 = 1*(1,2) + 0.5*(3,-1) = (2.5, 1.5); row 1 = -(1,2) + 2*(3,-1) = (5, -4).
        #expect(Array(dw[0..<2]) == [2.5, 1.5] && Array(dw[s..<(s + 2)]) == [5, -4])
        #expect(dw[2..<s].allSatisfy { $0 == 0 })  // padding columns get zero gradient
        #expect(db == [1.5, 1])
    }

    /// The register-blocked kernels against plain loops, for shapes that exercise every
    /// block and remainder (classes 1-12, features not multiples of 8, rows not multiples of
    /// 4), at both vector widths whatever the build's own.
    @Test(arguments: [(1, 1, 1), (3, 7, 2), (5, 54, 7), (13, 17, 10), (6, 33, 12), (9, 100, 1), (4, 8, 3), (2, 24, 5),
                      (7, 40, 4), (11, 9, 2), (5, 48, 3), (3, 80, 11)], LaneWidth.allCases)
    func blockedKernelsMatchPlainLoops(shape: (count: Int, d: Int, o: Int), lanes: LaneWidth) {
        let (count, d, o) = shape
        var g = SplitMix64(seed: UInt64(count * 1000 + d * 10 + o))
        let n = count + 5
        let x = (0..<(n * d)).map { _ in Float(g.nextGaussian()) }
        let rows = (0..<count).map { _ in Int32(g.nextInt(below: n)) }
        let s = (d + 15) / 16 * 16, rp = (count + 3) / 4 * 4
        var w = [Float](repeating: 0, count: o * s)
        for k in 0..<o { for j in 0..<d { w[k * s + j] = Float(g.nextGaussian()) } }
        let b = (0..<o).map { _ in Float(g.nextGaussian()) }
        var xg = [Float](repeating: .nan, count: rp * s)
        gatherRows(SIMD16<Float>.self, xg: &xg, x: x, rows: rows, count: count, paddedCount: rp, d: d, stride: s)
        var z = [Float](repeating: .nan, count: rp * o)
        let ptrs = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rp)
        defer { ptrs.deallocate() }
        let xb = UnsafeMutablePointer<Float>.allocate(capacity: xg.count)
        defer { xb.deallocate() }
        xb.initialize(from: xg, count: xg.count)
        for r in 0..<rp { ptrs[r] = UnsafePointer(xb + r * s) }
        linearForward(z: &z, ldz: o, rows: ptrs, count: rp, w: w, b: b, stride: s, o: o, lanes: lanes)
        for i in 0..<count {
            for k in 0..<o {
                var ref = Double(b[k])
                for j in 0..<d { ref += Double(x[Int(rows[i]) * d + j]) * Double(w[k * s + j]) }
                #expect(abs(Double(z[i * o + k]) - ref) <= 1e-4 * (1 + abs(ref)))
            }
        }
        let dz = (0..<(count * o)).map { _ in Float(g.nextGaussian()) }
        var dw = [Float](repeating: .nan, count: o * s), db = [Float](repeating: .nan, count: o)
        linearBackward(dw: &dw, db: &db, dz: dz, ldz: o, rows: ptrs, count: count, stride: s, o: o, lanes: lanes)
        for k in 0..<o {
            for j in 0..<s {
                var ref = 0.0
                if j < d { for i in 0..<count { ref += Double(dz[i * o + k]) * Double(x[Int(rows[i]) * d + j]) } }
                #expect(abs(Double(dw[k * s + j]) - ref) <= 1e-4 * (1 + abs(ref)))
            }
            let refb = (0..<count).reduce(0.0) { $0 + Double(dz[$1 * o + k]) }
            #expect(abs(Double(db[k]) - refb) <= 1e-5 * (1 + abs(refb)))
        }
    }

    @Test func vectorisedExpMatchesLibm() {
        var worst = 0.0
        var v: Float = -87
        while v < 88 {
            var lanes = SIMD16<Float>()
            for l in 0..<16 { lanes[l] = v + Float(l) * 0.0137 }
            let e = exp(lanes: lanes)
            // The 8-lane version gives the same bits lane by lane.
            let low = exp(lanes: lanes.lowHalf), high = exp(lanes: lanes.highHalf)
            for l in 0..<16 {
                let ref = Foundation.exp(Double(lanes[l]))
                worst = max(worst, abs(Double(e[l]) - ref) / ref)
                #expect(e[l] == (l < 8 ? low[l] : high[l - 8]))
            }
            v += 0.11
        }
        #expect(worst < 2e-7)
        // Clamped below: tiny but finite and non-negative, never NaN; e^0 = 1 exactly.
        let low = exp(lanes: SIMD8<Float>(repeating: -1000))
        #expect(low[0] >= 0 && low[0] < 1e-37)
        #expect(exp(lanes: SIMD16<Float>(repeating: 0))[13] == 1)
    }

    /// The build's width is the one the manifest chose: 16 lanes exactly when this machine has
    /// AVX-512 and the build is native (``LaneWidth/native``, `laneCount`).
    @Test func nativeWidthFollowsTheBuild() {
        #expect(laneCount == LaneWidth.native.count)
        #expect([8, 16].contains(laneCount))
    }

    /// A shard's gradient is the same at both widths up to the order of its sums, and
    /// prefetching the next shard's rows (``RowPrefetch``) changes no bit of it.
    @Test(arguments: [(37, 784, 10), (33, 54, 7), (20, 100, 1)])
    func classifierGradientAgreesAcrossWidthsAndPrefetching(shape: (count: Int, d: Int, o: Int)) {
        let (count, d, o) = shape
        var g = SplitMix64(seed: UInt64(count * 7 + d))
        let n = 3 * count
        let x = (0..<(n * d)).map { _ in Float(g.nextGaussian()) }
        let rows = (0..<count).map { _ in Int32(g.nextInt(below: n)) }
        let next = (0..<count).map { _ in Int32(g.nextInt(below: n)) }
        let labels = (0..<count).map { _ in Int32(g.nextInt(below: max(o, 2))) }
        let s = (d + 15) / 16 * 16
        var params = [Float](repeating: 0, count: o * s + o)
        for k in 0..<o { for j in 0..<d { params[k * s + j] = Float(g.nextGaussian()) * 0.05 } }
        let loss: OutputLoss = o == 1 ? .sigmoid : .softmax
        func gradient(_ lanes: LaneWidth, prefetch: Bool) -> (grad: [Float], loss: Double, correct: Int) {
            var grad = [Float](repeating: .nan, count: o * s + o)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: linearClassifierScratchLength(rows: count, d: d, stride: s, o: o))
            defer { scratch.deallocate() }
            let stats = x.withUnsafeBufferPointer { xb in
                next.withUnsafeBufferPointer { nb in
                    linearClassifierGradient(
                        grad: &grad, x: xb.baseAddress!, rows: rows, labels: labels, weights: nil, count: count, params: params,
                        d: d, stride: s, o: o, loss: loss, scratch: scratch,
                        ahead: prefetch ? RowPrefetch(x: xb.baseAddress!, rows: nb.baseAddress!, count: count, d: d) : nil,
                        lanes: lanes)
                }
            }
            return (grad, stats.loss, stats.correct)
        }
        let eight = gradient(.eight, prefetch: false), sixteen = gradient(.sixteen, prefetch: false)
        for (a, b) in zip(eight.grad, sixteen.grad) { #expect(abs(a - b) <= 1e-4 * (1 + abs(a))) }
        #expect(abs(eight.loss - sixteen.loss) <= 1e-4 * eight.loss)
        for lanes in LaneWidth.allCases {
            let plain = gradient(lanes, prefetch: false), ahead = gradient(lanes, prefetch: true)
            #expect(plain.grad == ahead.grad && plain.loss == ahead.loss && plain.correct == ahead.correct)
        }
    }
}

/// The dense layer's kernel pair against finite differences of the scalar
/// S = sum(G * (X W^T + b)) in float64: dS/dW = G^T X, dS/db = column sums of G, dS/dX = G W.
@Suite struct DenseLayerKernelTests {
    /// Shapes: rows (on the 4-row blocks and not), inputs (padded or not), outputs (over and under
    /// 5, and over 10, where the weight gradient runs columns outer, with 1 to 4 left over).
    @Test(arguments: [(4, 8, 3), (7, 5, 12), (13, 16, 7), (9, 20, 1), (5, 20, 13), (6, 40, 17), (3, 33, 11), (8, 16, 14)],
          LaneWidth.allCases)
    func backwardMatchesFiniteDifferences(shape: (rows: Int, inputs: Int, outputs: Int), lanes: LaneWidth) {
        let (b, d, o) = shape
        let s = (d + 15) / 16 * 16, bp = (b + 3) / 4 * 4
        var rng = SplitMix64(seed: UInt64(b * 100 + d * 10 + o))
        func random(_ n: Int) -> [Double] { (0..<n).map { _ in rng.nextGaussian() } }
        let x = random(b * d), w = random(o * d), bias = random(o), g = random(b * o)
        func S(_ x: [Double], _ w: [Double], _ bias: [Double]) -> Double {
            var total = 0.0
            for i in 0..<b {
                for c in 0..<o {
                    var z = bias[c]
                    for j in 0..<d { z += x[i * d + j] * w[c * d + j] }
                    total += g[i * o + c] * z
                }
            }
            return total
        }
        // Padded float32 buffers for the kernels.
        var xs = [Float](repeating: 0, count: bp * s), ws = [Float](repeating: 0, count: o * s)
        for i in 0..<b { for j in 0..<d { xs[i * s + j] = Float(x[i * d + j]) } }
        for c in 0..<o { for j in 0..<d { ws[c * s + j] = Float(w[c * d + j]) } }
        let bs = bias.map(Float.init), gs = g.map(Float.init)
        var dw = [Float](repeating: .nan, count: o * s), db = [Float](repeating: .nan, count: o)
        var dx = [Float](repeating: .nan, count: b * s), z = [Float](repeating: .nan, count: bp * o)
        var transposed = [Float](repeating: .nan, count: o * b)
        xs.withUnsafeBufferPointer { xb in
            let rows = (0..<bp).map { UnsafePointer(xb.baseAddress! + min($0, b - 1) * s) }
            linearForward(z: &z, ldz: o, rows: rows, count: bp, w: ws, b: bs, stride: s, o: o, lanes: lanes)
            linearBackward(dw: &dw, db: &db, dz: gs, ldz: o, rows: rows, count: b, stride: s, o: o, lanes: lanes)
        }
        let wRows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: o)
        defer { wRows.deallocate() }
        linearInputGradient(dx: &dx, dz: gs, ldz: o, count: b, w: ws, stride: s, o: o, transposed: &transposed, wRows: wRows,
                            lanes: lanes)
        // Forward: Z = X W^T + b.
        for i in 0..<b {
            for c in 0..<o {
                var e = bias[c]
                for j in 0..<d { e += x[i * d + j] * w[c * d + j] }
                #expect(abs(Double(z[i * o + c]) - e) < 1e-4)
            }
        }
        let h = 1e-4
        func check(_ analytic: Float, _ up: Double, _ down: Double) {
            let numeric = (up - down) / (2 * h)
            #expect(abs(Double(analytic) - numeric) <= 1e-3 + 1e-4 * abs(numeric), "\(analytic) vs \(numeric)")
        }
        for c in 0..<o {
            for j in 0..<d {
                var up = w, down = w
                up[c * d + j] += h; down[c * d + j] -= h
                check(dw[c * s + j], S(x, up, bias), S(x, down, bias))
            }
            for j in d..<s { #expect(dw[c * s + j] == 0) }
            var up = bias, down = bias
            up[c] += h; down[c] -= h
            check(db[c], S(x, w, up), S(x, w, down))
        }
        for i in 0..<b {
            for j in 0..<d {
                var up = x, down = x
                up[i * d + j] += h; down[i * d + j] -= h
                check(dx[i * s + j], S(up, w, bias), S(down, w, bias))
            }
            for j in d..<s { #expect(dx[i * s + j] == 0) }
        }
    }
}
