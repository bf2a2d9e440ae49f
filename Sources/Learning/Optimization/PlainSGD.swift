internal import LearningKernels

/// w <- w - eta * (G / B + decay * w), b <- b - eta * g_b / B: no state.
final class PlainSGD: Optimizer {
    var stateCount: Int { 0 }
    var stateCopy: [Float] { [] }
    func restore(_ saved: [Float]) { precondition(saved.isEmpty) }
    func beginStep(_ t: Int) {}

    func step(parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, range: Range<Int>,
              weightCount: Int, eta: Float, batchSize: Int, decay: Float) {
        sgdStep(parameters: parameters, gradient: gradient, range: range, weightCount: weightCount, eta: eta,
                batchSize: batchSize, decay: decay)
    }
}
