// The per-coordinate adaptive updates of the sparse path (Learning's `SparseAdaGrad` and
// `SparseFTRL`), on one touched feature's O weights at a time: a vector of lanes at a time,
// then a scalar tail, with the scalar rule's arithmetic in every lane (IEEE division and square
// root are exact per lane), so any width gives the scalar loop's bits.

/// AdaGrad on the O weights of one feature, g = G / B + l2 w its batch-mean gradient:
///
///     G2 <- G2 + g^2;   r = eta / (sqrt(G2) + epsilon);   w <- w - r g
///     w  <- max(0, w - r l1) if w > 0 else min(0, w + r l1)        (only when l1 > 0)
///
/// - Parameters: v, squares: (O) the feature's weights and G2, updated in place; gradient: (O) G.
package func adagradFeatureStep(
    v: UnsafeMutablePointer<Float>, squares: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, o: Int,
    invB: Float, eta: Float, l2: Float, l1: Float, epsilon: Float, lanes: LaneWidth = .native
) {
    switch lanes {
    case .eight:
        adagradFeatureStep(SIMD8<Float>.self, v: v, s: squares, g: gradient, o: o, invB: invB, eta: eta, l2: l2, l1: l1,
                           epsilon: epsilon)
    case .sixteen:
        adagradFeatureStep(SIMD16<Float>.self, v: v, s: squares, g: gradient, o: o, invB: invB, eta: eta, l2: l2, l1: l1,
                           epsilon: epsilon)
    }
}

@inline(__always)
private func adagradFeatureStep<V: FloatLanes>(
    _: V.Type, v: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>, g gt: UnsafePointer<Float>, o: Int,
    invB: Float, eta: Float, l2: Float, l1: Float, epsilon: Float
) {
    var k = 0
    let zero = V(repeating: 0)
    while k &+ V.width <= o {
        let w = V.load(v + k)
        let g = V.load(gt + k) * invB + l2 * w
        let sq = V.load(s + k) + g * g
        sq.store(s + k)
        let rate = eta / (sq.squareRoot() + epsilon)
        var x = w - rate * g
        if l1 > 0 {
            let shrunk = x - rate * l1, grown = x + rate * l1
            let positive = shrunk.replacing(with: zero, where: shrunk .< zero)
            let negative = grown.replacing(with: zero, where: grown .> zero)
            x = negative.replacing(with: positive, where: x .> zero)
        }
        x.store(v + k)
        k &+= V.width
    }
    while k < o {
        let g = gt[k] * invB + l2 * v[k]
        s[k] += g * g
        let rate = eta / (s[k].squareRoot() + epsilon)
        var x = v[k] - rate * g
        if l1 > 0 { x = x > 0 ? max(0, x - rate * l1) : min(0, x + rate * l1) }
        v[k] = x
        k &+= 1
    }
}

/// FTRL-Proximal on the O weights of one feature, g = G / B (alpha the rate):
///
///     sigma = (sqrt(n + g^2) - sqrt(n)) / alpha;   z <- z + g - sigma w;   n <- n + g^2
///     w = 0 if |z| <= l1, else -(z - sign(z) l1) / ((beta + sqrt(n)) / alpha + l2)
///
/// - Parameters: v, z, n: (O) the feature's weights and FTRL state, updated in place;
///   gradient: (O) G.
package func ftrlFeatureStep(
    v: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>, n: UnsafeMutablePointer<Float>,
    gradient: UnsafePointer<Float>, o: Int, invB: Float, alpha: Float, beta: Float, l1: Float, l2: Float,
    lanes: LaneWidth = .native
) {
    switch lanes {
    case .eight:
        ftrlFeatureStep(SIMD8<Float>.self, v: v, z: z, n: n, g: gradient, o: o, invB: invB, alpha: alpha, beta: beta, l1: l1,
                        l2: l2)
    case .sixteen:
        ftrlFeatureStep(SIMD16<Float>.self, v: v, z: z, n: n, g: gradient, o: o, invB: invB, alpha: alpha, beta: beta, l1: l1,
                        l2: l2)
    }
}

/// One coordinate of ``ftrlFeatureStep(v:z:n:gradient:o:invB:alpha:beta:l1:l2:lanes:)``:
/// updates (z, n) and returns the new weight.
@inline(__always)
package func ftrlCoordinateStep(z: inout Float, n: inout Float, w: Float, g: Float, alpha: Float, beta: Float, l1: Float,
                                l2: Float) -> Float {
    let root = n.squareRoot(), next = n + g * g, nextRoot = next.squareRoot()
    let sigma = (nextRoot - root) / alpha
    z += g - sigma * w
    n = next
    if abs(z) <= l1 { return 0 }
    return -(z - (z > 0 ? l1 : -l1)) / ((beta + nextRoot) / alpha + l2)
}

@inline(__always)
private func ftrlFeatureStep<V: FloatLanes>(
    _: V.Type, v: UnsafeMutablePointer<Float>, z zp: UnsafeMutablePointer<Float>, n np: UnsafeMutablePointer<Float>,
    g gt: UnsafePointer<Float>, o: Int, invB: Float, alpha: Float, beta: Float, l1: Float, l2: Float
) {
    var k = 0
    let zero = V(repeating: 0), l1v = V(repeating: l1)
    while k &+ V.width <= o {
        let g = V.load(gt + k) * invB, w = V.load(v + k), n = V.load(np + k)
        let root = n.squareRoot(), next = n + g * g, nextRoot = next.squareRoot()
        let sigma = (nextRoot - root) / alpha
        let z = V.load(zp + k) + (g - sigma * w)
        z.store(zp + k)
        next.store(np + k)
        let magnitude = z.replacing(with: -z, where: z .< zero)
        let signedL1 = l1v.replacing(with: -l1v, where: .!(z .> zero))
        let weight = -(z - signedL1) / ((beta + nextRoot) / alpha + l2)
        weight.replacing(with: zero, where: magnitude .<= l1v).store(v + k)
        k &+= V.width
    }
    while k < o {
        v[k] = ftrlCoordinateStep(z: &zp[k], n: &np[k], w: v[k], g: gt[k] * invB, alpha: alpha, beta: beta, l1: l1, l2: l2)
        k &+= 1
    }
}
