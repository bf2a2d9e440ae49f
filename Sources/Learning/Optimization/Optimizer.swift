import Foundation

/// How the summed gradient of a batch becomes a parameter update, chosen by
/// `training.optimizer`. Every optimizer first forms the mean regularised gradient
///
///     g = G / B + alpha * dR/dW   (weights)        g = g_b / B   (biases)
///
/// and then, with eta the schedule's rate for step t:
///
/// - sgd:            w <- w - eta * g
/// - sgd, momentum:  v <- mu * v + g;  w <- w - eta * v      (nesterov: w <- w - eta * (g + mu * v))
/// - adam:           m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
///                   w <- w - eta * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)
///
/// These are PyTorch's `optim.SGD` and `optim.Adam` with the l2 term added to the gradient
/// (its `weight_decay`), applied to weights only. The update is elementwise, so it runs chunk
/// by chunk as the gradient's chunks are summed, and gives the same bits for any worker count.
public enum OptimizerKind: String, Sendable, CaseIterable {
    case sgd, adam
}

/// An optimizer with its per-parameter state (velocity, or Adam's two moments).
final class OptimizerState {
    let kind: OptimizerKind
    let momentum: Float
    let nesterov: Bool
    let beta1: Float, beta2: Float, epsilon: Float
    /// sgd with momentum: v; adam: m then v. Empty for plain sgd.
    private var buffers: [Float]
    private let count: Int
    /// Adam's bias corrections for the current step: 1 - b1^t and 1 - b2^t.
    private var correction1: Float = 1, correction2: Float = 1

    init(_ o: TrainingOptions, parameterCount: Int) {
        kind = o.optimizer
        momentum = Float(o.momentum)
        nesterov = o.nesterov
        beta1 = Float(o.beta1)
        beta2 = Float(o.beta2)
        epsilon = Float(o.epsilon)
        count = parameterCount
        let slots = kind == .adam ? 2 : (momentum != 0 ? 1 : 0)
        buffers = [Float](repeating: 0, count: slots * parameterCount)
    }

    /// Floats of state (0 for plain SGD).
    var stateCount: Int { buffers.count }

    /// A copy of the state buffers (for a checkpoint).
    var buffersCopy: [Float] { buffers }

    /// Restores the state buffers from a checkpoint.
    func restore(_ saved: [Float]) {
        precondition(saved.count == buffers.count)
        buffers = saved
    }

    /// True when the update is the plain regularised step (``sgdStep``), with no state.
    var isPlainSGD: Bool { kind == .sgd && momentum == 0 }

    /// Call once per step, before the chunks of that step: advances Adam's step count t.
    func beginStep(_ t: Int) {
        guard kind == .adam else { return }
        correction1 = 1 - Float(pow(Double(beta1), Double(t)))
        correction2 = 1 - Float(pow(Double(beta2), Double(t)))
    }

    /// Runs `body` with a pointer to the state buffers (valid for the whole step).
    @discardableResult
    func withState<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        if buffers.isEmpty { return body(nil) }
        return buffers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// Applies the update to the elements in `range`.
    /// - Parameters: parameters, gradient (the batch's summed gradient): [W | b];
    ///   state: from ``withState(_:)``.
    @inline(__always)
    func step(parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, state: UnsafeMutablePointer<Float>?,
              range: Range<Int>, weightCount: Int, eta: Float, batchSize: Int, decay: Float) {
        guard let state, kind == .adam || momentum != 0 else {
            sgdStep(parameters: parameters, gradient: gradient, range: range, weightCount: weightCount,
                    eta: eta, batchSize: batchSize, decay: decay)
            return
        }
        let invB = 1 / Float(batchSize)
        for i in range {
            let g = gradient[i] * invB + (i < weightCount ? decay * parameters[i] : 0)
            switch kind {
            case .sgd:
                let v = momentum * state[i] + g
                state[i] = v
                parameters[i] -= eta * (nesterov ? g + momentum * v : v)
            case .adam:
                let m = beta1 * state[i] + (1 - beta1) * g
                let v = beta2 * state[count + i] + (1 - beta2) * g * g
                state[i] = m
                state[count + i] = v
                parameters[i] -= eta * (m / correction1) / ((v / correction2).squareRoot() + epsilon)
            }
        }
    }
}
