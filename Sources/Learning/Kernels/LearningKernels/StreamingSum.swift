/// The sum of `count` floats read once front to back, in four independent 16-lane
/// accumulators (64 floats, 256 bytes per iteration) so that the loads, not the adds, set the
/// pace: the loop behind the read-bandwidth measurement of `minibatch bench` (`ReadBandwidth`
/// in Learning times it). Built for the target CPU like the kernels, so the adds are vector
/// adds. Order of summation: lane l of accumulator a takes p[64 i + 16 a + l]; the tail past
/// the last multiple of 64 is added one by one; then the four accumulators, then the lanes.
/// The result is returned for the caller to keep, so the reads cannot be dropped.
@inline(never)
package func streamingSum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    typealias Wide = SIMD16<Float>
    let raw = UnsafeRawPointer(p)
    var a0 = Wide(), a1 = Wide(), a2 = Wide(), a3 = Wide()
    let blocks = count / 64
    var i = 0
    while i < blocks {
        let at = raw + i &* 256
        a0 += at.loadUnaligned(as: Wide.self)
        a1 += (at + 64).loadUnaligned(as: Wide.self)
        a2 += (at + 128).loadUnaligned(as: Wide.self)
        a3 += (at + 192).loadUnaligned(as: Wide.self)
        i &+= 1
    }
    var tail: Float = 0
    for j in (blocks * 64)..<count { tail += p[j] }
    let s = (a0 + a1) + (a2 + a3)
    var total: Float = 0
    for l in 0..<16 { total += s[l] }
    return total + tail
}
