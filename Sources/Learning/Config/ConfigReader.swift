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
                throw fail(full, "unknown key; allowed here: " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            out[k] = value
        }
        return out
    }

    func string(_ v: JSONValue, _ key: String, nonEmpty: Bool = false) throws(LearningError) -> String {
        guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v.kindName) \(v.jsonText)") }
        if nonEmpty && s.isEmpty { throw fail(key, "must not be empty") }
        return s
    }

    func bool(_ v: JSONValue, _ key: String) throws(LearningError) -> Bool {
        guard case .bool(let b) = v else { throw fail(key, "expected true or false, found \(v.kindName) \(v.jsonText)") }
        return b
    }

    func number(_ v: JSONValue, _ key: String, min: Double, minInclusive: Bool = true,
                max: Double = .infinity, maxInclusive: Bool = true, allowed: String) throws(LearningError) -> Double {
        guard case .number(let d) = v else { throw fail(key, "expected \(allowed), found \(v.kindName) \(v.jsonText)") }
        let aboveMin = minInclusive ? d >= min : d > min
        let belowMax = maxInclusive ? d <= max : d < max
        guard aboveMin && belowMax else { throw fail(key, "\(v.jsonText) is out of range; allowed: \(allowed)") }
        return d
    }

    func integer(_ v: JSONValue, _ key: String, min: Int, max: Int) throws(LearningError) -> Int {
        let allowed = "an integer from \(min) to \(max)"
        guard case .number(let d) = v else { throw fail(key, "expected \(allowed), found \(v.kindName) \(v.jsonText)") }
        guard d == d.rounded() else { throw fail(key, "\(v.jsonText) is not a whole number; allowed: \(allowed)") }
        guard d >= Double(min) && d <= Double(max) else { throw fail(key, "\(v.jsonText) is out of range; allowed: \(allowed)") }
        return Int(d)
    }

    func choice<E: RawRepresentable & CaseIterable>(_ v: JSONValue, _ key: String, _ type: E.Type) throws(LearningError) -> E
    where E.RawValue == String {
        let names = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let s) = v else { throw fail(key, "expected one of \(names), found \(v.kindName) \(v.jsonText)") }
        guard let e = E(rawValue: s) else { throw fail(key, "\"\(s)\" is not allowed; allowed: \(names)") }
        return e
    }
}
