// Register-blocked SIMD building blocks of the dense kernels.
//
// Vectors are 8 float32 lanes (one AVX2 register). A block keeps R x C (forward) or
// J x C (backward) accumulators in registers; value generics fix the block shape at
// compile time so the loops over it unroll and the accumulators never touch memory.
// Feature rows are padded with zeros to a multiple of 8 (see `LinearModel.stride`), so
// no block needs a scalar tail.
//
// Everything here is internal and inlined into this module's entry points: a generic or
// inlinable kernel called from another module would be compiled with that module's flags,
// without the target CPU.

typealias Lanes = SIMD8<Float>
/// Floats per vector: rows of the dense kernels are padded to a multiple of it.
package let laneCount = 8

@inline(__always)
func loadLanes(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

@inline(__always)
func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }

#if DEBUG
/// A no-op in debug builds, where the sanitizers run: ThreadSanitizer's instrumentation lets
/// every call in a function unwind, and LLVM rejects an intrinsic called that way. Prefetching
/// changes no result, only speed.
@inline(__always)
func prefetch(_ p: UnsafePointer<Float>) {}
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
#endif

/// Sum of the lanes as a tree of halves (the standard library's `sum()` is a serial chain).
@inline(__always)
func horizontalSum(_ v: Lanes) -> Float {
    let a = v.lowHalf + v.highHalf
    let b = a.lowHalf + a.highHalf
    return b[0] + b[1]
}

/// z[r, c] = x_r . w_c + b_c for an R-row x C-class block.
/// Shapes: z (R, ldz) at class offset 0; rows: R pointers to rows of `stride` floats;
/// w (C, stride); b (C).
/// Addresses advance by pointer bumps (wrapping arithmetic), keeping overflow checks out of
/// the inner loop. `ahead` and `ahead2`, when given, are rows of `stride` floats that the
/// block prefetches as it goes, one vector's address of each per step: the rows the next
/// block reads, which would otherwise arrive from memory one miss at a time.
enum ForwardBlock<let R: Int, let C: Int> {
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
        var acc = InlineArray<C, InlineArray<R, Lanes>>(repeating: InlineArray<R, Lanes>(repeating: Lanes()))
        var xp = InlineArray<R, UnsafePointer<Float>>(repeating: rows[0])
        for r in 0..<R { xp[r] = rows[r] }
        var wp = InlineArray<C, UnsafePointer<Float>>(repeating: w)
        for c in 0..<C { wp[c] = w + c &* stride }
        var j = 0
        while j < stride {
            each(j)
            var xr = InlineArray<R, Lanes>(repeating: Lanes())
            for r in 0..<R { xr[r] = loadLanes(xp[r] + j) }
            for c in 0..<C {
                let wc = loadLanes(wp[c] + j)
                for r in 0..<R { acc[c][r].addProduct(xr[r], wc) }
            }
            j &+= laneCount
        }
        for c in 0..<C {
            for r in 0..<R { z[r &* ldz &+ c] = horizontalSum(acc[c][r]) + b[c] }
        }
    }
}

/// g[c, j0 ..< j0 + 8J] = sum_i dz[i, c] x[i, j0 ..< j0 + 8J] for a C-class x 8J-column block
/// (written, not added: each element of g has exactly one block, so g needs no zeroing).
/// Shapes: g (C, stride); dz (count, ldz) at class offset 0; rows: count pointers to rows of
/// `stride` floats.
enum BackwardBlock<let J: Int, let C: Int> {
    @inline(__always)
    static func run(g: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>, ldz: Int,
                    rows: UnsafePointer<UnsafePointer<Float>>, count: Int, stride: Int, j0: Int) {
        var acc = InlineArray<C, InlineArray<J, Lanes>>(repeating: InlineArray<J, Lanes>(repeating: Lanes()))
        var dzp = dz
        for i in 0..<count {
            let xp = rows[i] + j0
            var xv = InlineArray<J, Lanes>(repeating: Lanes())
            for jj in 0..<J { xv[jj] = loadLanes(xp + laneCount * jj) }
            for c in 0..<C {
                let d = Lanes(repeating: dzp[c])
                for jj in 0..<J { acc[c][jj].addProduct(xv[jj], d) }
            }
            dzp += ldz
        }
        for c in 0..<C {
            for jj in 0..<J {
                let offset: Int = c &* stride &+ j0 &+ laneCount &* jj
                storeLanes(acc[c][jj], g + offset)
            }
        }
    }

    /// Runs the block over columns [j0, stride) in steps of 8J; returns where it stopped.
    @inline(__always)
    static func sweep(g: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>, ldz: Int,
                      rows: UnsafePointer<UnsafePointer<Float>>, count: Int, stride: Int, from j0: Int) -> Int {
        var j = j0
        while j &+ laneCount * J <= stride {
            run(g: g, dz: dz, ldz: ldz, rows: rows, count: count, stride: stride, j0: j)
            j &+= laneCount * J
        }
        return j
    }
}

/// e^x on 8 lanes (Cephes-style): x = n ln2 + r with |r| <= ln2 / 2, e^r by a degree-6
/// polynomial, scaled by 2^n built in the exponent bits. Inputs are clamped to
/// [-87.34, 88.38]; the maximum relative error is about 8e-8 (libm's expf is ~11x slower).
@inline(__always)
func exp(lanes x0: Lanes) -> Lanes {
    let hi = Lanes(repeating: 88.3762626647949), lo = Lanes(repeating: -87.3365478515625)
    var x = x0.replacing(with: hi, where: x0 .> hi)
    x = x.replacing(with: lo, where: x .< lo)
    // n = round(x / ln2): adding 1.5 * 2^23 rounds to an integer held in the low mantissa bits.
    let magic = Lanes(repeating: 12582912.0)
    let t = x * Lanes(repeating: 1.44269504088896341) + magic
    let n = t - magic
    var r = x - n * Lanes(repeating: 0.693359375)
    r = r - n * Lanes(repeating: -2.12194440e-4)
    var p = Lanes(repeating: 1.9875691500e-4)
    p = p * r + Lanes(repeating: 1.3981999507e-3)
    p = p * r + Lanes(repeating: 8.3334519073e-3)
    p = p * r + Lanes(repeating: 4.1665795894e-2)
    p = p * r + Lanes(repeating: 1.6666665459e-1)
    p = p * r + Lanes(repeating: 5.0000001201e-1)
    p = p * (r * r) + r + Lanes(repeating: 1)
    let bits = unsafeBitCast(t, to: SIMD8<UInt32>.self) &- unsafeBitCast(magic, to: SIMD8<UInt32>.self)
    let scale = unsafeBitCast((bits &+ SIMD8<UInt32>(repeating: 127)) &<< SIMD8<UInt32>(repeating: 23), to: Lanes.self)
    return p * scale
}

/// Applies e^x to `count` contiguous floats in place.
@inline(__always)
func expInPlace(_ z: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + laneCount <= count {
        storeLanes(exp(lanes: loadLanes(z + i)), z + i)
        i += laneCount
    }
    if i < count {
        var tail = Lanes(repeating: -100)
        for l in 0..<(count - i) { tail[l] = z[i + l] }
        let e = exp(lanes: tail)
        for l in 0..<(count - i) { z[i + l] = e[l] }
    }
}
