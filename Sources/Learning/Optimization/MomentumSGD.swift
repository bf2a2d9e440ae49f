internal import LearningKernels

/// SGD with momentum mu (velocity v, one per parameter): v <- mu v + g, w <- w - eta v; with
/// nesterov, w <- w - eta (g + mu v).
final class MomentumSGD: Optimizer {
    let momentum: Float
    let nesterov: Bool
    private let velocity: FloatBuffer

    init(momentum: Float, nesterov: Bool, parameterCount: Int) {
        self.momentum = momentum
        self.nesterov = nesterov
        velocity = FloatBuffer(count: parameterCount)
    }

    var stateCount: Int { velocity.count }
    var stateCopy: [Float] { velocity.copy }
    func restore(_ saved: [Float]) { velocity.restore(saved) }
    func beginStep(_ t: Int) {}

    func step(parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, range: Range<Int>,
              weightCount: Int, eta: Float, batchSize: Int, decay: Float) {
        momentumStep(parameters: parameters, gradient: gradient, velocity: velocity.pointer, range: range,
                     weightCount: weightCount, eta: eta, batchSize: batchSize, decay: decay, momentum: momentum,
                     nesterov: nesterov)
    }
}
