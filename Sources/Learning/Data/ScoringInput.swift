import DataParallel

/// Data to score with a saved model: dense rows (CSV, `.npy`), or sparse rows (LIBSVM), which
/// stay sparse.
public enum ScoringData: Sendable {
    case dense(Dataset)
    case sparse(SparseDataset)

    public var count: Int {
        switch self {
        case .dense(let d): d.count
        case .sparse(let s): s.count
        }
    }

    /// Encoded labels (see ``Dataset/labels``), the classes and the labels they do not hold.
    public var labels: [Int32] {
        switch self {
        case .dense(let d): d.labels
        case .sparse(let s): s.labels
        }
    }

    public var classes: [String] {
        switch self {
        case .dense(let d): d.classes
        case .sparse(let s): s.classes
        }
    }

    public var unseenLabels: [String] {
        switch self {
        case .dense(let d): d.unseenLabels
        case .sparse(let s): s.unseenLabels
        }
    }
}

extension SavedModel {
    /// Reads a data file for this model in its format (`format`, or by the file's extension):
    /// CSV and `.npy` as ``loadData(path:labelsPath:format:)`` does; LIBSVM text kept sparse,
    /// index i being feature i - 1 of the model, divided by the stored scaler's scales (a
    /// centring scaler's means are applied in ``score(_:pool:)`` instead, so zeros stay zeros).
    /// A LIBSVM row always has its label.
    ///
    /// Errors: a LIBSVM index above the model's feature count names its file and line; an mlp
    /// model cannot score LIBSVM data; `labelsPath` is for `.npy` data only.
    public func loadInput(path: String, labelsPath: String? = nil, format: DataFormat = .auto)
        throws(LearningError) -> (data: ScoringData, hasLabels: Bool)
    {
        guard format.resolved(for: path) == .libsvm else {
            let (data, hasLabels) = try loadData(path: path, labelsPath: labelsPath, format: format)
            return (.dense(data), hasLabels)
        }
        if let labelsPath {
            throw .data(file: labelsPath, line: nil, message: "a LIBSVM file holds its own labels; a labels file is for .npy data")
        }
        if model.linear == nil {
            throw .data(file: path, line: nil,
                        message: "LIBSVM data can be scored by linear models only, and this model is an \(model.typeName)")
        }
        var data = SparseDataset(try LIBSVMReader.read(path: path, featureCount: featureNames.count), classes: classes)
        scaler?.transformScaleOnly(&data)
        return (.sparse(data), true)
    }

    /// The model's scores of `data` (from ``loadInput(path:labelsPath:format:)``). Sparse rows
    /// are scored on the CSR path, which needs a linear model (``loadInput`` checks it); when
    /// the stored scaler centres, its means are folded into the bias, b' = b - W (m / s), since
    /// the rows were only divided by s.
    public func score(_ data: ScoringData, pool: WorkerPool) -> Scores {
        switch data {
        case .dense(let d):
            return model.score(d, pool: pool)
        case .sparse(let s):
            guard var m = model.linear else { preconditionFailure("sparse rows are scored by linear models only") }
            if let scaler, !scaler.isScaleOnly {
                let d = m.featureCount, w = m.weights
                var b = m.bias
                for k in b.indices {
                    var shift = 0.0
                    for j in 0..<d { shift += Double(w[k * d + j]) * Double(scaler.mean[j]) / Double(scaler.scale[j]) }
                    b[k] = Float(Double(b[k]) - shift)
                }
                m.setParameters(weights: w, bias: b)
            }
            return m.score(s, pool: pool)
        }
    }
}
