/// Labelled examples with sparse features in compressed sparse row (CSR) form: the sparse
/// counterpart of ``Dataset``, what LIBSVM data trains and is scored as without ever being
/// made dense.
///
/// Row `i` holds the features `columns[rowOffsets[i] ..< rowOffsets[i + 1]]` (0-based, strictly
/// increasing within a row) with the values at the same positions of `values`; every other
/// feature of the row is 0.
public struct SparseDataset: Sendable, Equatable {
    /// `count + 1` offsets into `columns` and `values`; the first is 0, the last `values.count`.
    public var rowOffsets: [Int]
    public var columns: [Int32]
    public var values: [Float]
    /// Class index per row into `classes`; -1 - u for the u-th label of `unseenLabels` (data
    /// scored by a model only), as in ``Dataset``.
    public var labels: [Int32]
    public var classes: [String]
    /// The number of features, d: every column index is below it.
    public var featureCount: Int
    public var unseenLabels: [String] = []
    /// Per-row sample weights, or nil when every row weighs 1; they travel with their rows.
    public var weights: [Float]? = nil

    public init(rowOffsets: [Int], columns: [Int32], values: [Float], labels: [Int32], classes: [String], featureCount: Int) {
        precondition(rowOffsets.count == labels.count + 1 && rowOffsets.first == 0 && rowOffsets.last == values.count)
        precondition(columns.count == values.count && featureCount >= 1)
        self.rowOffsets = rowOffsets
        self.columns = columns
        self.values = values
        self.labels = labels
        self.classes = classes
        self.featureCount = featureCount
    }

    /// A parsed LIBSVM table with its labels encoded against `classes` (labels that are not
    /// classes become unseen labels).
    public init(_ table: SparseTable, classes: [String]) {
        let (ys, unseen) = ClassEncoding.encode(table.labels, classes: classes)
        self.init(rowOffsets: table.rowOffsets, columns: table.columns, values: table.values, labels: ys, classes: classes,
                  featureCount: max(table.featureCount, 1))
        unseenLabels = unseen
    }

    /// The dense rows' non-zero entries (explicit zeros are dropped), with the same labels,
    /// classes and weights.
    public init(_ dense: Dataset) {
        let d = dense.featureCount
        var offsets = [0], columns: [Int32] = [], values: [Float] = []
        for r in 0..<dense.count {
            for j in 0..<d where dense.features[r * d + j] != 0 {
                columns.append(Int32(j))
                values.append(dense.features[r * d + j])
            }
            offsets.append(values.count)
        }
        self.init(rowOffsets: offsets, columns: columns, values: values, labels: dense.labels, classes: dense.classes,
                  featureCount: d)
        unseenLabels = dense.unseenLabels
        weights = dense.weights
    }

    public var count: Int { labels.count }
    /// Stored entries over all rows.
    public var nonZeroCount: Int { values.count }

    /// The features' names, the 1-based LIBSVM indices "1" ... "d".
    public var featureNames: [String] { Self.featureNames(featureCount) }

    public static func featureNames(_ d: Int) -> [String] { (1...max(d, 1)).map { String($0) } }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> SparseDataset {
        var offsets = [Int]()
        offsets.reserveCapacity(indices.count + 1)
        offsets.append(0)
        var total = 0
        for i in indices {
            total += rowOffsets[i + 1] - rowOffsets[i]
            offsets.append(total)
        }
        var cs = [Int32](), vs = [Float]()
        cs.reserveCapacity(total)
        vs.reserveCapacity(total)
        for i in indices {
            let r = rowOffsets[i]..<rowOffsets[i + 1]
            cs.append(contentsOf: columns[r])
            vs.append(contentsOf: values[r])
        }
        var out = SparseDataset(rowOffsets: offsets, columns: cs, values: vs, labels: indices.map { labels[$0] },
                                classes: classes, featureCount: featureCount)
        out.unseenLabels = unseenLabels
        out.weights = weights.map { w in indices.map { w[$0] } }
        return out
    }

    /// The same rows as a dense ``Dataset`` with features named "1" ... "d" (for tests and
    /// small data: it takes count x d floats).
    public func densified() -> Dataset {
        let d = featureCount
        var x = [Float](repeating: 0, count: count * d)
        for r in 0..<count {
            for p in rowOffsets[r]..<rowOffsets[r + 1] { x[r * d + Int(columns[p])] = values[p] }
        }
        var out = Dataset(features: x, labels: labels, classes: classes, featureNames: featureNames)
        out.unseenLabels = unseenLabels
        out.weights = weights
        return out
    }

    /// Whether every feature holds one value in all rows (implicit zeros included): a column
    /// is constant when no row stores it, when every stored value is 0, or when every row
    /// stores the same value. O(non-zeros + d).
    public var allFeaturesConstant: Bool {
        let n = count
        var stored = [Int](repeating: 0, count: featureCount)
        var first = [Float](repeating: 0, count: featureCount)
        var varies = [Bool](repeating: false, count: featureCount)
        var nonZero = [Bool](repeating: false, count: featureCount)
        for p in values.indices {
            let j = Int(columns[p]), v = values[p]
            if stored[j] == 0 { first[j] = v } else if v != first[j] { varies[j] = true }
            stored[j] += 1
            if v != 0 { nonZero[j] = true }
        }
        for j in 0..<featureCount where nonZero[j] && (varies[j] || stored[j] < n) { return false }
        return true
    }
}

// MARK: - Standardisation without centring

extension Standardizer {
    /// Scale-only standardisation of sparse data (scikit-learn's `StandardScaler(with_mean:
    /// false)`): mean 0, and for each feature the population standard deviation over all rows,
    /// implicit zeros included, computed in float64 in two passes over the stored values:
    /// m_j = S_j / n, var_j = (sum over stored (x - m_j)^2 + (n - stored_j) m_j^2) / n.
    /// A constant feature gets scale 1, as in the dense fit. O(non-zeros + d): centring would
    /// turn every implicit zero into -m_j and make the data dense, so it is not done.
    public init(fittingScaleOnly data: SparseDataset) {
        let d = data.featureCount, n = Double(max(data.count, 1))
        var sum = [Double](repeating: 0, count: d)
        var stored = [Int](repeating: 0, count: d)
        for p in data.values.indices {
            let j = Int(data.columns[p])
            sum[j] += Double(data.values[p])
            stored[j] += 1
        }
        let m = sum.map { $0 / n }
        var sq = [Double](repeating: 0, count: d)
        for p in data.values.indices {
            let j = Int(data.columns[p])
            let c = Double(data.values[p]) - m[j]
            sq[j] += c * c
        }
        let scale = (0..<d).map { j -> Float in
            let sd = ((sq[j] + (n - Double(stored[j])) * m[j] * m[j]) / n).squareRoot()
            return sd > 1e-12 ? Float(sd) : 1
        }
        self.init(mean: [Float](repeating: 0, count: d), scale: scale)
    }

    /// True when every mean is 0, so the transform keeps zeros at zero.
    public var isScaleOnly: Bool { mean.allSatisfy { $0 == 0 } }

    /// Divides every stored value by its feature's scale (x' = (x - 0) / scale, the dense
    /// transform's bits when the mean is 0); the mean is not subtracted (see
    /// ``init(fittingScaleOnly:)``).
    public func transformScaleOnly(_ data: inout SparseDataset) {
        precondition(mean.count == data.featureCount)
        let columns = data.columns
        data.values.withUnsafeMutableBufferPointer { v in
            for p in 0..<v.count { v[p] /= scale[Int(columns[p])] }
        }
    }
}

// MARK: - Weights and identity

extension DataIdentity {
    /// The identity of a sparse training split: FNV-1a over the row offsets, the columns, the
    /// values' bits, the labels and the weights.
    public init(_ d: SparseDataset) {
        var h = FNV1a()
        for o in d.rowOffsets { h.mix(UInt32(truncatingIfNeeded: o)) }
        for c in d.columns { h.mix(UInt32(bitPattern: c)) }
        for v in d.values { h.mix(v.bitPattern) }
        for y in d.labels { h.mix(UInt32(bitPattern: y)) }
        for w in d.weights ?? [] { h.mix(w.bitPattern) }
        self.init(rows: d.count, features: d.featureCount, classes: d.classes, fingerprint: h.value)
    }
}

extension SparseDataset {
    /// Runs `body` with pointers to the rows, for the CSR kernels (valid inside `body` only).
    func withCSRRows<R>(_ body: (CSRRows) throws -> R) rethrows -> R {
        try rowOffsets.withUnsafeBufferPointer { offsets in
            try columns.withUnsafeBufferPointer { columns in
                try values.withUnsafeBufferPointer { values in
                    try body(CSRRows(offsets: offsets.baseAddress!, columns: columns.baseAddress!, values: values.baseAddress!))
                }
            }
        }
    }
}
