extension JSONValue {
    /// This value with the value at the key path `path` replaced or added (objects on the way
    /// are made; a value on the way that is not an object is replaced by one).
    func setting(_ path: ArraySlice<String>, to value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        var members: [(key: String, value: JSONValue)] = []
        if case .object(let m) = self { members = m }
        if let i = members.firstIndex(where: { $0.key == key }) {
            members[i].value = members[i].value.setting(path.dropFirst(), to: value)
        } else {
            members.append((key, JSONValue.null.setting(path.dropFirst(), to: value)))
        }
        return .object(members)
    }
}
