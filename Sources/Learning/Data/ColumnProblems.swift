/// Every problem found in the columns of a table, reported as one error instead of one per
/// run: each column named once with the first line where it goes wrong and what to do, at
/// most ``shownColumns`` columns named.
struct ColumnProblems {
    let file: String
    private(set) var items: [(column: String, line: Int?, message: String)] = []
    /// The most columns one message names; the rest are counted.
    static let shownColumns = 10

    init(file: String) { self.file = file }

    mutating func add(column: String, line: Int?, _ message: String) {
        guard !items.contains(where: { $0.column == column }) else { return }
        items.append((column, line, message))
    }

    /// A value of a column that should hold numbers: what it looks like and the keys that fix it.
    mutating func notNumeric(column: String, value: String, line: Int) {
        if Self.looksLikeDate(value) {
            add(column: column, line: line, "value '\(value)' looks like a date, which is not a feature; "
                + "list the column in data.ignore (or in data.categorical)")
        } else {
            add(column: column, line: line, "value '\(value)' is not a number; list the column in data.categorical "
                + "to one-hot encode it (or \"categorical\": \"auto\"), or in data.ignore to leave it out")
        }
    }

    /// An empty cell where data.missing is "error".
    mutating func empty(column: String, line: Int) {
        add(column: column, line: line, "is empty (a missing value); set data.missing to \"mean\", \"median\" or "
            + "\"most_frequent\" to fill it in, or list the column in data.ignore")
    }

    /// Throws the problems found, if any, as one data error at the first problem's line.
    func check() throws(LearningError) {
        guard let first = items.first else { return }
        func text(_ p: (column: String, line: Int?, message: String)) -> String {
            let name = p.column.isEmpty ? "the unnamed column" : "column '\(p.column)'"
            return name + (p.line.map { " (line \($0))" } ?? "") + ": " + p.message
        }
        if items.count == 1 {
            let p = first
            let name = p.column.isEmpty ? "the unnamed column" : "column '\(p.column)'"
            throw .data(file: file, line: p.line, message: name + " " + p.message)
        }
        var message = "\(items.count) columns cannot be used as they are: "
            + items.prefix(Self.shownColumns).map(text).joined(separator: "; ")
        if items.count > Self.shownColumns { message += "; and \(items.count - Self.shownColumns) more" }
        throw .data(file: file, line: first.line, message: message)
    }

    /// Whether `text` looks like a date or a time stamp: digits in groups joined by '-', '/',
    /// '.' or ':' (with an optional 'T' or space before a time), such as 2024-01-31,
    /// 31/01/2024 or 2024-01-31T12:00:00.
    static func looksLikeDate(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 6, scalars.first.map({ $0.properties.numericType != nil }) == true else { return false }
        var groups = 0, inDigits = false, separators = Set<Character>()
        for u in scalars {
            if u.value >= 0x30 && u.value <= 0x39 {
                if !inDigits { groups += 1 }
                inDigits = true
            } else if "-/.: TZ".unicodeScalars.contains(u) {
                inDigits = false
                separators.insert(Character(u))
            } else {
                return false
            }
        }
        return groups >= 3 && (separators.contains("-") || separators.contains("/") || separators.contains(":"))
    }
}
