/// "Did you mean" for a misspelled name (a command, a flag, a config key): the known name
/// nearest to it by edit distance, when it is near enough to be a slip of the fingers.
public enum Spelling {
    /// The candidate nearest to `name`, compared without case, when its distance is at most
    /// max(1, min(3, c / 2)) for a candidate of c characters (so "trian" finds "train" and
    /// "alfa" finds "alpha", while "fit" finds nothing among the commands); ties go to the
    /// candidate listed first. nil for an exact match or when nothing is near.
    public static func suggestion(for name: String, among candidates: [String]) -> String? {
        let typed = Array(name.lowercased())
        var best: (name: String, distance: Int)? = nil
        for c in candidates {
            let known = Array(c.lowercased())
            let d = distance(typed, known)
            if c == name || d > max(1, min(3, known.count / 2)) { continue }
            if best == nil || d < best!.distance { best = (c, d) }
        }
        return best?.name
    }

    /// The optimal string alignment distance: the fewest insertions, deletions,
    /// substitutions and swaps of two neighbouring characters that turn `a` into `b`, by the
    /// recurrence D[i][j] = min(D[i-1][j] + 1, D[i][j-1] + 1, D[i-1][j-1] + [a_i != b_j],
    /// D[i-2][j-2] + 1 when a_i = b_{j-1} and a_{i-1} = b_j).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// "; did you mean 'x'?" for the nearest candidate, else "".
    public static func didYouMean(_ name: String, among candidates: [String], quote: String = "'") -> String {
        suggestion(for: name, among: candidates).map { "; did you mean \(quote)\($0)\(quote)?" } ?? ""
    }
}
