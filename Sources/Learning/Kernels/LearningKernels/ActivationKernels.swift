// Forward/backward kernel pairs of the hidden layers' nonlinearities, on a (B, ld) block of a
// layer's units (ld a multiple of 8, the padded width). The backward pass needs only the
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
                               function f: ActivationFunction) {
    for i in 0..<rows {
        let row = a + i &* ld
        var j = 0
        while j < width {
            storeLanes(apply(f, loadLanes(row + j)), row + j)
            j &+= laneCount
        }
        for j in width..<ld { row[j] = 0 }
    }
}

/// dZ = dA * f'(Z), elementwise, with f' computed from A.
/// - Parameters: da (rows, ld); a (rows, ld), A in, dZ out. Padding columns, where both
///   dA and A are 0, come out 0.
package func activationBackward(da: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, rows: Int, ld: Int,
                                function f: ActivationFunction) {
    let n = rows &* ld
    var j = 0
    let one = Lanes(repeating: 1)
    while j < n {
        let g = loadLanes(da + j), y = loadLanes(a + j)
        let dz: Lanes
        switch f {
        case .relu: dz = g.replacing(with: 0, where: y .<= 0)
        case .tanh: dz = g * (one - y * y)
        case .sigmoid: dz = g * y * (one - y)
        }
        storeLanes(dz, a + j)
        j &+= laneCount
    }
}

/// f on 8 lanes. tanh is sign(z) (1 - e) / (1 + e) with e = e^(-2|z|), sigmoid is
/// 1 / (1 + e^-z), both on the vectorised exp (absolute error below 1e-7).
@inline(__always)
func apply(_ f: ActivationFunction, _ z: Lanes) -> Lanes {
    let one = Lanes(repeating: 1)
    switch f {
    case .relu:
        return z.replacing(with: 0, where: z .< 0)
    case .tanh:
        let magnitude = z.replacing(with: -z, where: z .< 0)
        let e = exp(lanes: Lanes(repeating: -2) * magnitude)
        let t = (one - e) / (one + e)
        return t.replacing(with: -t, where: z .< 0)
    case .sigmoid:
        return one / (one + exp(lanes: -z))
    }
}
