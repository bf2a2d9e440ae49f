// Forward/backward kernel pairs of the hidden layers' nonlinearities, on a (B, ld) block of a
// layer's units (ld a multiple of the build's vector width, the padded width). The backward pass needs only the
// activations A = f(Z), not Z, so a layer keeps one buffer:
//
// | function | f(z) | f'(z) from a = f(z) |
// | --- | --- | --- |
// | relu | max(z, 0) | 1 if a > 0 else 0 |
// | tanh | (e^z - e^-z) / (e^z + e^-z) | 1 - a^2 |
// | sigmoid | 1 / (1 + e^-z) | a (1 - a) |

/// The nonlinearity of a hidden layer (Learning's `Activation` maps onto it).
package enum ActivationFunction: Sendable {
    case relu, tanh, sigmoid
}

/// A = f(Z) in place on the first `width` columns of `rows` rows of `a` (ld apart);
/// columns width..<ld are set to 0, so padding never feeds the next layer.
/// - Parameters: a (rows, ld), Z in, A out.
package func activationForward(_ a: UnsafeMutablePointer<Float>, rows: Int, width: Int, ld: Int,
                               function f: ActivationFunction, lanes: LaneWidth = .native) {
    switch lanes {
    case .eight: activationForward(SIMD8<Float>.self, a, rows: rows, width: width, ld: ld, function: f)
    case .sixteen: activationForward(SIMD16<Float>.self, a, rows: rows, width: width, ld: ld, function: f)
    }
}

private func activationForward<V: FloatLanes>(_: V.Type, _ a: UnsafeMutablePointer<Float>, rows: Int, width: Int, ld: Int,
                                              function f: ActivationFunction) {
    for i in 0..<rows {
        let row = a + i &* ld
        var j = 0
        while j < width {
            apply(f, V.load(row + j)).store(row + j)
            j &+= V.width
        }
        for j in width..<ld { row[j] = 0 }
    }
}

/// dZ = dA * f'(Z), elementwise, with f' computed from A.
/// - Parameters: da (rows, ld); a (rows, ld), A in, dZ out. Padding columns, where both
///   dA and A are 0, come out 0.
package func activationBackward(da: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, rows: Int, ld: Int,
                                function f: ActivationFunction, lanes: LaneWidth = .native) {
    switch lanes {
    case .eight: activationBackward(SIMD8<Float>.self, da: da, a: a, rows: rows, ld: ld, function: f)
    case .sixteen: activationBackward(SIMD16<Float>.self, da: da, a: a, rows: rows, ld: ld, function: f)
    }
}

private func activationBackward<V: FloatLanes>(_: V.Type, da: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, rows: Int,
                                               ld: Int, function f: ActivationFunction) {
    let n = rows &* ld
    var j = 0
    let one = V(repeating: 1)
    while j < n {
        let g = V.load(da + j), y = V.load(a + j)
        let dz: V
        switch f {
        case .relu: dz = g.replacing(with: 0, where: y .<= 0)
        case .tanh: dz = g * (one - y * y)
        case .sigmoid: dz = g * y * (one - y)
        }
        dz.store(a + j)
        j &+= V.width
    }
}

/// f on every lane. tanh is sign(z) (1 - e) / (1 + e) with e = e^(-2|z|), sigmoid is
/// 1 / (1 + e^-z), both on the vectorised exp (absolute error below 1e-7).
@inline(__always)
func apply<V: FloatLanes>(_ f: ActivationFunction, _ z: V) -> V {
    let one = V(repeating: 1)
    switch f {
    case .relu:
        return z.replacing(with: 0, where: z .< 0)
    case .tanh:
        let magnitude = z.replacing(with: -z, where: z .< 0)
        let e = (V(repeating: -2) * magnitude).exponential
        let t = (one - e) / (one + e)
        return t.replacing(with: -t, where: z .< 0)
    case .sigmoid:
        return one / (one + (-z).exponential)
    }
}
