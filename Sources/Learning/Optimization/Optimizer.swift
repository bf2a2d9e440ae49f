import Foundation

/// How the summed gradient of a batch becomes a parameter update, chosen by
/// `training.optimizer`. Every optimizer first forms the mean regularised gradient
///
///     g = G / B + alpha * dR/dW   (weights)        g = g_b / B   (biases)
///
/// and then, with eta the schedule's rate for step t:
///
/// - sgd:            w <- w - eta * g                                     (``PlainSGD``)
/// - sgd, momentum:  v <- mu * v + g;  w <- w - eta * v                   (``MomentumSGD``)
///                   (nesterov: w <- w - eta * (g + mu * v))
/// - adam:           m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;   (``Adam``)
///                   w <- w - eta * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)
///
/// These are PyTorch's `optim.SGD` and `optim.Adam` with the l2 term added to the gradient
/// (its `weight_decay`), applied to weights only. The update is elementwise, so it runs block
/// by block as the gradient's blocks are summed, and gives the same bits for any worker count.
///
/// Two per-coordinate adaptive rules exist for sparse (LIBSVM) data only, where a step
/// changes the state of the features the batch touches and no other (dense data refuses
/// them with a config error naming `training.optimizer`):
///
/// - adagrad: G2 += g^2;  w <- w - eta * g / (sqrt(G2) + epsilon)            (``SparseAdaGrad``)
/// - ftrl:    FTRL-Proximal of McMahan et al. (2013), z and n per coordinate  (``SparseFTRL``)
public enum OptimizerKind: String, Sendable, CaseIterable {
    case sgd, adam, adagrad, ftrl

    /// True for the rules only the sparse path has (adagrad, ftrl).
    public var isSparseOnly: Bool { self == .adagrad || self == .ftrl }

    /// Floats of state per weight on the sparse path: adagrad's G2, ftrl's z and n.
    var sparseStateSlots: Int {
        switch self {
        case .adagrad: 1
        case .ftrl: 2
        case .sgd, .adam: 0
        }
    }
}

/// An update rule with its per-parameter state, one type per rule.
protocol Optimizer: AnyObject {
    /// Floats of state (0 for plain SGD): what a checkpoint stores.
    var stateCount: Int { get }
    /// A copy of the state (for a checkpoint).
    var stateCopy: [Float] { get }
    /// Restores the state from a checkpoint (`saved.count == stateCount`).
    func restore(_ saved: [Float])
    /// Call once per step t = 1, 2, ..., before the blocks of that step.
    func beginStep(_ t: Int)
    /// Applies the update to the parameters in `range` (see ``OptimizerKind`` for the rules).
    /// - Parameters: parameters, gradient (the batch's summed gradient): [W | b], the first
    ///   `weightCount` elements weights; decay: alpha times the l2 share of the penalty.
    func step(parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, range: Range<Int>,
              weightCount: Int, eta: Float, batchSize: Int, decay: Float)
}

/// The optimizer `options` ask for, for `parameterCount` parameters.
func makeOptimizer(_ options: TrainingOptions, parameterCount: Int) -> any Optimizer {
    switch options.optimizer {
    case .adam:
        Adam(beta1: Float(options.beta1), beta2: Float(options.beta2), epsilon: Float(options.epsilon),
             parameterCount: parameterCount)
    case .sgd where options.momentum != 0:
        MomentumSGD(momentum: Float(options.momentum), nesterov: options.nesterov, parameterCount: parameterCount)
    case .sgd:
        PlainSGD()
    case .adagrad, .ftrl:
        // Config validation and Trainer refuse these for dense rows (Config.checkFormat).
        preconditionFailure("\(options.optimizer.rawValue) is for sparse rows only")
    }
}
