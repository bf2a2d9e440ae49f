internal import LearningKernels

/// The nonlinearity of an MLP's hidden layers.
///
/// Each has a forward/backward kernel pair in LearningKernels (`activationForward`,
/// `activationBackward`) on a (B, ld) block of a layer's units (ld a multiple of 8, the padded
/// width). The backward pass needs only the activations A = f(Z), not Z, so a layer keeps one
/// buffer:
///
/// | name | f(z) | f'(z) from a = f(z) |
/// | --- | --- | --- |
/// | relu | max(z, 0) | 1 if a > 0 else 0 |
/// | tanh | (e^z - e^-z) / (e^z + e^-z) | 1 - a^2 |
/// | sigmoid | 1 / (1 + e^-z) | a (1 - a) |
public enum Activation: String, Sendable, CaseIterable {
    case relu, tanh, sigmoid

    /// A = f(Z) in place on the first `width` columns of `rows` rows of `a` (ld apart);
    /// columns width..<ld are set to 0, so padding never feeds the next layer.
    /// - Parameters: a (rows, ld), Z in, A out.
    func forward(_ a: UnsafeMutablePointer<Float>, rows: Int, width: Int, ld: Int) {
        activationForward(a, rows: rows, width: width, ld: ld, function: function)
    }

    /// dZ = dA * f'(Z), elementwise, with f' computed from A.
    /// - Parameters: da (rows, ld); a (rows, ld), A in, dZ out. Padding columns, where both
    ///   dA and A are 0, come out 0.
    func backward(da: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, rows: Int, ld: Int) {
        activationBackward(da: da, a: a, rows: rows, ld: ld, function: function)
    }

    /// The kernels' name for this activation.
    var function: ActivationFunction {
        switch self {
        case .relu: .relu
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        }
    }

    /// The default initialisation of a hidden layer with this activation (see ``MLP``).
    var initialization: Initialization { self == .relu ? .heNormal : .glorotUniform }
}

/// Random initial weights of a dense layer with `fanIn` inputs and `fanOut` outputs.
enum Initialization: String, Sendable {
    /// N(0, 2 / fanIn) (He et al., 2015), for ReLU layers.
    case heNormal = "he_normal"
    /// U(-l, l) with l = sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio, 2010), for tanh,
    /// sigmoid and the output layer.
    case glorotUniform = "glorot_uniform"

    func sample(fanIn: Int, fanOut: Int, using rng: inout SplitMix64) -> Float {
        switch self {
        case .heNormal:
            return Float(rng.nextGaussian() * (2.0 / Double(fanIn)).squareRoot())
        case .glorotUniform:
            let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
            return Float((2 * rng.nextUnit() - 1) * limit)
        }
    }
}
