internal import LearningKernels
import Foundation

/// Adam: first and second moments m, v per parameter, bias-corrected by 1 - b1^t and
/// 1 - b2^t at step t (see ``OptimizerKind``).
final class Adam: Optimizer {
    let beta1: Float, beta2: Float, epsilon: Float
    private let parameterCount: Int
    /// m, then v.
    private let moments: FloatBuffer
    /// 1 - b1^t and 1 - b2^t for the current step.
    private var correction1: Float = 1, correction2: Float = 1

    init(beta1: Float, beta2: Float, epsilon: Float, parameterCount: Int) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.parameterCount = parameterCount
        moments = FloatBuffer(count: 2 * parameterCount)
    }

    var stateCount: Int { moments.count }
    var stateCopy: [Float] { moments.copy }
    func restore(_ saved: [Float]) { moments.restore(saved) }

    func beginStep(_ t: Int) {
        correction1 = 1 - Float(pow(Double(beta1), Double(t)))
        correction2 = 1 - Float(pow(Double(beta2), Double(t)))
    }

    func step(parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, range: Range<Int>,
              weightCount: Int, eta: Float, batchSize: Int, decay: Float) {
        adamStep(parameters: parameters, gradient: gradient, m: moments.pointer, v: moments.pointer + parameterCount,
                 range: range, weightCount: weightCount, eta: eta, batchSize: batchSize, decay: decay, beta1: beta1,
                 beta2: beta2, epsilon: epsilon, correction1: correction1, correction2: correction2)
    }
}
