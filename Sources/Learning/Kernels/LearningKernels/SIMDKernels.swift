// Register-blocked SIMD building blocks of the dense kernels.
//
// The kernels are generic over the vector they compute on (``FloatLanes``): 8 float32 lanes
// (one AVX2 register) or 16 (one AVX-512 register). Each entry point takes a ``LaneWidth``,
// by default the build's own (``LaneWidth/native``), and runs its loops specialised for it,
// so the tests check both widths against the reference on any machine. A block keeps R x C
// (forward) or J x C (backward) accumulators in registers; value generics fix the block
// shape at compile time so the loops over it unroll and the accumulators never touch memory.
// Feature rows are padded with zeros to a multiple of the build's width (see
// `LinearModel.stride`), so no block needs a scalar tail.
//
// Everything here is internal and inlined into this module's entry points: a generic or
// inlinable kernel called from another module would be compiled with that module's flags,
// without the target CPU.

/// A vector of float32 lanes the kernels compute on.
///
/// The helpers are requirements, each implemented for the concrete vector: a kernel
/// specialised for one width then calls that width's code directly. (Debug builds compile each
/// file on its own, so a generic helper from another file would run unspecialised, lane by
/// lane through the runtime, a thousand times slower.)
protocol FloatLanes: SIMD where Scalar == Float {
    /// The same number of unsigned 32-bit lanes (for building floats from their bits).
    associatedtype Bits: SIMD where Bits.Scalar == UInt32
    /// Lanes per vector.
    static var width: Int { get }
    /// The vector at `p` (any alignment).
    static func load(_ p: UnsafePointer<Float>) -> Self
    /// Writes the vector at `p` (any alignment).
    func store(_ p: UnsafeMutablePointer<Float>)
    /// The sum of the lanes as a tree of halves (the standard library's `sum()` is a serial
    /// chain of adds).
    var laneSum: Float { get }
    /// e^x on every lane (``exp(lanes:)``).
    var exponential: Self { get }
    /// e^x in place on `count` contiguous floats (``expInPlace(_:_:count:)``).
    static func exponentiate(_ z: UnsafeMutablePointer<Float>, count: Int)
    /// self <- self + a b, one fused multiply-add per lane.
    mutating func accumulate(_ a: Self, times b: Self)
}

extension SIMD8: FloatLanes where Scalar == Float {
    typealias Bits = SIMD8<UInt32>
    static var width: Int { 8 }
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
    @inline(__always)
    var laneSum: Float {
        let a = lowHalf + highHalf
        let b = a.lowHalf + a.highHalf
        return b[0] + b[1]
    }
    @inline(__always)
    var exponential: Self { exp(lanes: self) }
    static func exponentiate(_ z: UnsafeMutablePointer<Float>, count: Int) { expInPlace(Self.self, z, count: count) }
    @inline(__always)
    mutating func accumulate(_ a: Self, times b: Self) { addProduct(a, b) }
}

extension SIMD16: FloatLanes where Scalar == Float {
    typealias Bits = SIMD16<UInt32>
    static var width: Int { 16 }
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
    @inline(__always)
    var laneSum: Float { (lowHalf + highHalf).laneSum }
    @inline(__always)
    var exponential: Self { exp(lanes: self) }
    static func exponentiate(_ z: UnsafeMutablePointer<Float>, count: Int) { expInPlace(Self.self, z, count: count) }
    /// Half by half: the standard library's 16-lane `addProduct` is a loop over the lanes
    /// that LLVM leaves scalar inside the register blocks (16 scalar FMAs), while each 8-lane
    /// half becomes one vector FMA.
    @inline(__always)
    mutating func accumulate(_ a: Self, times b: Self) {
        self = SIMD16(lowHalf: lowHalf.addingProduct(a.lowHalf, b.lowHalf),
                      highHalf: highHalf.addingProduct(a.highHalf, b.highHalf))
    }
}

/// The vector width a kernel runs with.
package enum LaneWidth: Sendable, CaseIterable {
    /// 8 lanes: one AVX2 (ymm) register.
    case eight
    /// 16 lanes: one AVX-512 (zmm) register.
    case sixteen

    /// The build's width: 16 where the target CPU has AVX-512 (the manifest then defines
    /// `MINIBATCH_LANES16`), else 8. Builds of different widths add in different orders and
    /// can differ in the last bits; within a build, results do not depend on the worker count.
    #if MINIBATCH_LANES16
    package static let native = LaneWidth.sixteen
    #else
    package static let native = LaneWidth.eight
    #endif

    /// Floats per vector.
    package var count: Int { self == .eight ? 8 : 16 }
}

/// Floats per vector of the build's width: dense rows are padded to a multiple of it.
package let laneCount = LaneWidth.native.count

#if DEBUG
/// A no-op in debug builds, where the sanitizers run: ThreadSanitizer's instrumentation lets
/// every call in a function unwind, and LLVM rejects an intrinsic called that way. Prefetching
/// changes no result, only speed.
@inline(__always)
func prefetch(_ p: UnsafePointer<Float>) {}
@inline(__always)
func prefetchToL2(_ p: UnsafePointer<Float>) {}
#else
/// LLVM's prefetch intrinsic, reached by its symbol name: Swift has no prefetch of its own.
/// Arguments: address, 0 = read, locality 0...3 (3 = keep in every cache level), 1 = data.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ data: Int32)

/// Asks the cache to fetch the line holding `p` ahead of its use (`prefetcht0` on x86-64).
/// Unlike a load it never waits for memory, so a kernel can pull in the rows it reads next
/// while it computes on the rows it has. (Release builds only: see the debug version.)
@inline(__always)
func prefetch(_ p: UnsafePointer<Float>) { llvmPrefetch(UnsafeRawPointer(p), 0, 3, 1) }

/// Like ``prefetch(_:)`` with a lower locality (`prefetcht1`): the line goes to the outer
/// caches, not L1, for data needed some microseconds later.
@inline(__always)
func prefetchToL2(_ p: UnsafePointer<Float>) { llvmPrefetch(UnsafeRawPointer(p), 0, 2, 1) }
#endif

/// Rows to pull into the cache ahead of their use, one cache line per ``advance()``: a shard's
/// backward pass, which reads its rows from L2 and leaves the memory bus idle, walks the rows
/// the next forward pass will read, so that they arrive from memory while it computes.
/// Shapes: x (n, d); rows (count) indices into x.
package struct RowPrefetch {
    let x: UnsafePointer<Float>
    let rows: UnsafePointer<Int32>
    let count: Int
    let d: Int
    private var row = 0
    private var offset = 0
    private var base: UnsafePointer<Float>

    package init(x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int, d: Int) {
        self.x = x
        self.rows = rows
        self.count = count
        self.d = d
        base = count > 0 ? x + Int(rows[0]) &* d : x
    }

    /// Prefetches the next line (16 floats) of the rows, if any is left.
    @inline(__always)
    mutating func advance() {
        guard row < count else { return }
        prefetchToL2(base + offset)
        offset &+= 16
        if offset >= d {
            offset = 0
            row &+= 1
            if row < count { base = x + Int(rows[row]) &* d }
        }
    }
}

/// e^x on every lane (Cephes-style): x = n ln2 + r with |r| <= ln2 / 2, e^r by a degree-6
/// polynomial, scaled by 2^n built in the exponent bits. Inputs are clamped to
/// [-87.34, 88.38]; the maximum relative error is about 8e-8 (libm's expf is ~11x slower).
@inline(__always)
func exp<V: FloatLanes>(lanes x0: V) -> V {
    let hi = V(repeating: 88.3762626647949), lo = V(repeating: -87.3365478515625)
    var x = x0.replacing(with: hi, where: x0 .> hi)
    x = x.replacing(with: lo, where: x .< lo)
    // n = round(x / ln2): adding 1.5 * 2^23 rounds to an integer held in the low mantissa bits.
    let magic = V(repeating: 12582912.0)
    let t = x * V(repeating: 1.44269504088896341) + magic
    let n = t - magic
    var r = x - n * V(repeating: 0.693359375)
    r = r - n * V(repeating: -2.12194440e-4)
    var p = V(repeating: 1.9875691500e-4)
    p = p * r + V(repeating: 1.3981999507e-3)
    p = p * r + V(repeating: 8.3334519073e-3)
    p = p * r + V(repeating: 4.1665795894e-2)
    p = p * r + V(repeating: 1.6666665459e-1)
    p = p * r + V(repeating: 5.0000001201e-1)
    p = p * (r * r) + r + V(repeating: 1)
    let bits = unsafeBitCast(t, to: V.Bits.self) &- unsafeBitCast(magic, to: V.Bits.self)
    let scale = unsafeBitCast((bits &+ V.Bits(repeating: 127)) &<< V.Bits(repeating: 23), to: V.self)
    return p * scale
}

/// Applies e^x to `count` contiguous floats in place, V.width at a time.
@inline(__always)
func expInPlace<V: FloatLanes>(_: V.Type, _ z: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + V.width <= count {
        exp(lanes: V.load(z + i)).store(z + i)
        i += V.width
    }
    if i < count {
        var tail = V(repeating: -100)
        for l in 0..<(count - i) { tail[l] = z[i + l] }
        let e = exp(lanes: tail)
        for l in 0..<(count - i) { z[i + l] = e[l] }
    }
}
