internal import LearningKernels

/// One shard's gradient of a linear model on sparse rows: ``LinearModelKind`` picks the
/// loss of the kernel `sparseLinearGradient` in LearningKernels, which does the work (see
/// there for the arguments).
func sparseShardGradient(
    rows: CSRRows, order: UnsafePointer<Int32>, labels: UnsafePointer<Int32>, weights: UnsafePointer<Float>?, count: Int,
    kind: LinearModelKind, o: Int, v: UnsafePointer<Float>, b: UnsafePointer<Float>, scale: Float, owed: OwedL1? = nil,
    z: UnsafeMutablePointer<Float>, shifted: UnsafeMutablePointer<Float>, slots: UnsafeMutablePointer<Int32>,
    out: SparseGradient
) -> (loss: Double, correct: Int) {
    sparseLinearGradient(rows: rows, order: order, labels: labels, weights: weights, count: count,
                         loss: kind.loss, o: o, v: v, b: b, scale: scale, owed: owed,
                         z: z, shifted: shifted, slots: slots, out: out)
}
