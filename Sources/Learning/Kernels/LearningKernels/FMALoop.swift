/// a_i <- a_i * m + c (one fused multiply-add) on 12 independent vectors of the build's width,
/// `n` times: the machine's floating-point ceiling as the kernels reach it (`PeakFlops` in
/// Learning times it; it does 2 * 12 * lanes.count flops per iteration). Returns the sum of the
/// lanes, for the caller to keep alive.
@inline(never)
package func fmaLoop(_ n: Int, seed: Float, lanes: LaneWidth = .native) -> Float {
    switch lanes {
    case .eight: fmaLoop(SIMD8<Float>.self, n, seed: seed)
    case .sixteen: fmaLoop(SIMD16<Float>.self, n, seed: seed)
    }
}

@inline(__always)
private func fmaLoop<V: FloatLanes>(_: V.Type, _ n: Int, seed: Float) -> Float {
    var acc = InlineArray<12, V>(repeating: V(repeating: seed))
    let m = V(repeating: 0.999_999), c = V(repeating: 1e-6)
    for _ in 0..<n {
        for i in 0..<12 {
            var next = c
            next.accumulate(acc[i], times: m)
            acc[i] = next
        }
    }
    var s = V()
    for i in 0..<12 { s += acc[i] }
    return s.laneSum
}

/// Floating-point operations in one iteration of ``fmaLoop(_:seed:lanes:)`` at the build's
/// width: 12 fused multiply-adds (2 FLOPs each) on vectors of `laneCount` lanes.
package let fmaLoopFlopsPerIteration = 12 * 2 * laneCount
