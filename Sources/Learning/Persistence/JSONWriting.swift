extension JSONValue {
    /// Indented JSON text; arrays of numbers, strings and nulls stay on one line, so a
    /// weight row reads as one line.
    public func prettyText(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .array(let items) where items.isEmpty: return "[]"
        case .array(let items):
            if items.allSatisfy({ if case .array = $0 { return false }; if case .object = $0 { return false }; return true }) {
                return jsonText
            }
            return "[\n" + items.map { inner + $0.prettyText(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let members) where members.isEmpty: return "{}"
        case .object(let members):
            return "{\n" + members.map { inner + JSONValue.quote($0.key) + ": " + $0.value.prettyText(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + pad + "}"
        default: return jsonText
        }
    }

    /// A number, or null when it is nil or not finite (JSON has no NaN).
    public static func numberOrNull(_ d: Double?) -> JSONValue {
        guard let d, d.isFinite else { return .null }
        return .number(d)
    }

    /// Looks up a member of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}
