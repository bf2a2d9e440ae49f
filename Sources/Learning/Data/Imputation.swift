/// The fill values of scikit-learn's SimpleImputer strategies, computed in float64.
enum Imputation {
    /// The fill value of `values` (the column's non-empty training cells) for `strategy`; nil
    /// when there are none (or for "error", which fills nothing).
    static func fill(_ values: [Float], _ strategy: MissingValues) -> Float? {
        guard !values.isEmpty else { return nil }
        switch strategy {
        case .error:
            return nil
        case .mean:
            return Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
        case .median:
            // The middle value, or the mean of the two middle values of an even count.
            let s = values.sorted(), m = s.count / 2
            return s.count % 2 == 1 ? s[m] : Float((Double(s[m - 1]) + Double(s[m])) / 2)
        case .mostFrequent:
            var counts: [Float: Int] = [:]
            for v in values { counts[v == 0 ? 0 : v, default: 0] += 1 }
            // The most frequent value, the smallest of a tie.
            return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
        }
    }
}
