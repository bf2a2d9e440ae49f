import DataParallel
import Foundation

/// Whether a model's numbers can give finite scores. Every parameter of a model file being a
/// finite float32 is not enough: weights of 3.4e38 overflow as soon as two are added, a scaler
/// scale of 1e-45 makes every standardised value infinite, a mean of 3e38 sends ordinary inputs
/// to -3e38. Those files used to load and then print `nan` probabilities with exit 0.
///
/// The check bounds the scores by interval arithmetic, in float64, over the inputs that any
/// model must be able to score: raw values in [-1, 1] (around zero, where the standardiser's
/// mean m and scale s put them at most u_j = (|m_j| + 1) / s_j from zero; u_j = 1 without a
/// scaler). A dense layer maps the bound u of its inputs to v_k = |b_k| + sum_j |W_kj| u_j;
/// relu keeps v, tanh and sigmoid cap it at 1. Every layer's v must be at most the largest
/// float32. Data far outside that range is checked row by row when scored
/// (``SavedModel/scoreChecked(_:pool:file:)``).
extension SavedModel {
    /// The largest float32, as a float64.
    static let float32Limit = Double(Float.greatestFiniteMagnitude)

    /// Checks the model's range (see above) and names the key to blame: the weights when even
    /// unit standardised inputs overflow, else `scaler.scale` when the scales alone make them
    /// overflow, else `scaler.mean`.
    func checkRange(file: String) throws(LearningError) {
        if let scaler {
            for (j, s) in scaler.scale.enumerated() where s < Float.leastNormalMagnitude {
                throw .modelFile(file: file, message: "\"scaler.scale\" holds \(s) for '\(featureNames[j])', below the smallest "
                                     + "normal float32 (\(Float.leastNormalMagnitude)): standardised values would overflow")
            }
        }
        let unit = [Double](repeating: 1, count: featureNames.count)
        if let (key, bound) = overflowingLayer(inputBound: unit) {
            throw .modelFile(file: file, message: "\"\(key)\" cannot give finite scores: for inputs within 1 of zero they reach "
                                 + "\(String(format: "%.3g", bound)), beyond float32 (\(Float.greatestFiniteMagnitude))")
        }
        guard let scaler else { return }
        let scaled = scaler.scale.map { 1 / Double($0) }
        let full = zip(scaler.mean, scaler.scale).map { (abs(Double($0)) + 1) / Double($1) }
        for (key, u) in [("scaler.scale", scaled), ("scaler.mean", full)] {
            if let (_, bound) = overflowingLayer(inputBound: u) {
                throw .modelFile(file: file, message: "\"\(key)\" cannot give finite scores: standardised, raw inputs within 1 "
                                     + "of zero give scores up to \(String(format: "%.3g", bound)), beyond float32 (\(Float.greatestFiniteMagnitude))")
            }
        }
    }

    /// The first layer (its key) whose bound exceeds float32 for inputs bounded by `u`, with
    /// that bound; nil when every layer stays within float32.
    func overflowingLayer(inputBound u: [Double]) -> (key: String, bound: Double)? {
        func dense(_ w: [Float], _ b: [Float], inputs: Int, _ u: [Double]) -> [Double] {
            b.indices.map { k in
                var v = abs(Double(b[k]))
                for j in 0..<inputs { v += abs(Double(w[k * inputs + j])) * u[j] }
                return v
            }
        }
        switch model {
        case .linear(let m):
            let v = dense(m.weights, m.bias, inputs: m.featureCount, u)
            if let worst = v.max(), !(worst <= Self.float32Limit) { return ("weights", worst) }
        case .mlp(let m):
            var u = u
            for (l, layer) in m.layers.enumerated() {
                let v = dense(m.weights(layer: l), m.bias(layer: l), inputs: layer.inputs, u)
                if let worst = v.max(), !(worst <= Self.float32Limit) { return ("layers[\(l)].weights", worst) }
                u = l == m.layers.count - 1 || m.activation == .relu ? v : v.map { min($0, 1) }
            }
        }
        return nil
    }
}

extension SavedModel {
    /// ``score(_:pool:)`` with every row checked: a row whose scores are not finite (its
    /// standardised values too large for float32 arithmetic with this model, such as a cell of
    /// 3e38) is an error naming the file, the row and its largest standardised value, not a
    /// row of `nan` probabilities and an arbitrary label.
    /// - Parameter labelled: the rows' labels are real (evaluate): a row whose loss is not
    ///   finite (a logit beyond float32 that the probabilities hide, such as sigmoid(inf) = 1)
    ///   is an error too, not a log loss of nan.
    public func scoreChecked(_ data: ScoringData, pool: WorkerPool, file: String, labelled: Bool = false,
                             available: Double = MemoryBudget.physicalMemory) throws(LearningError) -> Scores {
        if let shortfall = MemoryBudget.shortfall(needs: MemoryBudget.scoringBytes(rows: data.count, classes: classes.count),
                                                  available: available) {
            throw .data(file: file, line: nil, message: "scoring its \(data.count) rows for \(classes.count) classes \(shortfall)")
        }
        let scores = score(data, pool: pool)
        let k = classes.count
        let labels: [Int32] = switch data {
        case .dense(let d): d.labels
        case .sparse(let d): d.labels
        }
        for i in 0..<data.count
        where !scores.probabilities[(i * k)..<((i + 1) * k)].allSatisfy(\.isFinite)
            || (labelled && labels[i] >= 0 && !scores.losses[i].isFinite)
        {
            var detail = ""
            if case .dense(let d) = data {
                let row = d.features[(i * d.featureCount)..<((i + 1) * d.featureCount)]
                if let j = row.indices.max(by: { !(abs(row[$0]) >= abs(row[$1])) }) {
                    let what = scaler == nil ? "value" : "standardised value"
                    detail = " (the \(what) of column '\(featureNames[j - row.startIndex])' is \(row[j]))"
                }
            }
            throw .data(file: file, line: nil, message: "row \(i + 1): the model's scores for it are beyond float32\(detail); "
                            + "values this far from the training data cannot be scored")
        }
        return scores
    }
}
