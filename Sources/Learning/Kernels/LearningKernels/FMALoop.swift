/// a_i <- a_i * m + c (one fused multiply-add) on 12 independent 8-lane vectors, `n` times:
/// the machine's floating-point ceiling as the kernels reach it (`PeakFlops` in Learning
/// times it). Returns the sum of the lanes, for the caller to keep alive.
@inline(never)
package func fmaLoop(_ n: Int, seed: Float) -> Float {
    var acc = InlineArray<12, Lanes>(repeating: Lanes(repeating: seed))
    let m = Lanes(repeating: 0.999_999), c = Lanes(repeating: 1e-6)
    for _ in 0..<n {
        for i in 0..<12 { acc[i] = c.addingProduct(acc[i], m) }
    }
    var s = Lanes()
    for i in 0..<12 { s += acc[i] }
    return horizontalSum(s)
}
