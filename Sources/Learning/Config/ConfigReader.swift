/// Checks the kind and range of config values and names the key when one is wrong.
struct ConfigReader {
    let file: String

    func fail(_ key: String, _ message: String) -> LearningError {
        .config(file: file, key: key.isEmpty ? "(top level)" : key, message: message)
    }

    func object(_ v: JSONValue, path: String, allowed: [String]) throws(LearningError) -> [String: JSONValue] {
        guard case .object(let members) = v else {
            throw fail(path, "expected an object, found \(v.kindName)")
        }
        var out: [String: JSONValue] = [:]
        for (k, value) in members {
            let full = path.isEmpty ? k : path + "." + k
            guard allowed.contains(k) else {
                let hint = Spelling.suggestion(for: k, among: allowed).map { "; did you mean \"\($0)\"?" } ?? ";"
                throw fail(full, "unknown key\(hint) allowed here: "
                           + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            out[k] = value
        }
        return out
    }

    func string(_ v: JSONValue, _ key: String, nonEmpty: Bool = false) throws(LearningError) -> String {
        guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v.kindName) \(v.jsonText)") }
        if nonEmpty { try checkNotEmpty(s, key) }
        return s
    }

    /// An array of strings (empty strings allowed), each at most once.
    func strings(_ v: JSONValue, _ key: String) throws(LearningError) -> [String] {
        guard case .array(let items) = v else { throw fail(key, "expected an array of column names, found \(v.kindName) \(v.jsonText)") }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw fail("\(key)[\(i)]", "expected a column name (a string), found \(item.kindName) \(item.jsonText)")
            }
            if out.contains(s) { throw fail("\(key)[\(i)]", "'\(s)' is listed twice") }
            out.append(s)
        }
        return out
    }

    func bool(_ v: JSONValue, _ key: String) throws(LearningError) -> Bool {
        guard case .bool(let b) = v else { throw fail(key, "expected true or false, found \(v.kindName) \(v.jsonText)") }
        return b
    }

    func number(_ v: JSONValue, _ key: String, _ range: NumberRange) throws(LearningError) -> Double {
        guard case .number(let d) = v else { throw fail(key, "expected \(range.allowed), found \(v.kindName) \(v.jsonText)") }
        guard range.contains(d) else { throw outOfRange(key, v.jsonText, range.allowed) }
        return d
    }

    func integer(_ v: JSONValue, _ key: String, _ range: ClosedRange<Int>) throws(LearningError) -> Int {
        let allowed = Self.allowed(range)
        guard case .number(let d) = v else { throw fail(key, "expected \(allowed), found \(v.kindName) \(v.jsonText)") }
        guard d == d.rounded() else { throw fail(key, "\(v.jsonText) is not a whole number; allowed: \(allowed)") }
        guard d >= Double(range.lowerBound) && d <= Double(range.upperBound) else {
            throw outOfRange(key, v.jsonText, allowed)
        }
        return Int(d)
    }

    func choice<E: RawRepresentable & CaseIterable>(_ v: JSONValue, _ key: String, _ type: E.Type) throws(LearningError) -> E
    where E.RawValue == String {
        let names = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let s) = v else { throw fail(key, "expected one of \(names), found \(v.kindName) \(v.jsonText)") }
        guard let e = E(rawValue: s) else { throw fail(key, "\"\(s)\" is not allowed; allowed: \(names)") }
        return e
    }

    // The checks of values already in a config (``Config/validate()``): the same ranges and
    // the same messages as for a file's values.

    func check(_ d: Double, _ key: String, _ range: NumberRange) throws(LearningError) {
        guard range.contains(d) else {
            throw outOfRange(key, d.isFinite ? JSONValue.number(d).jsonText : "\(d)", range.allowed)
        }
    }

    func check<N: BinaryInteger>(_ n: N, _ key: String, _ range: ClosedRange<Int>) throws(LearningError) {
        guard n >= range.lowerBound && n <= range.upperBound else { throw outOfRange(key, "\(n)", Self.allowed(range)) }
    }

    func checkNotEmpty(_ s: String, _ key: String) throws(LearningError) {
        if s.isEmpty { throw fail(key, "must not be empty") }
    }

    private func outOfRange(_ key: String, _ value: String, _ allowed: String) -> LearningError {
        fail(key, "\(value) is out of range; allowed: \(allowed)")
    }

    private static func allowed(_ range: ClosedRange<Int>) -> String {
        "an integer from \(range.lowerBound) to \(range.upperBound)"
    }
}
