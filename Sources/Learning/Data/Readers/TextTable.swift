import Foundation

/// A CSV file as text: the header's names and every cell of every row, trimmed, with each
/// row's line number. The reader behind ``ColumnPreprocessing`` (ignored, categorical and
/// empty cells) and behind the message that names every bad column of a file at once; the
/// numeric reader (``CSVReader``) stays the fast path for tables of numbers.
///
/// Quoting, blank lines, a byte-order mark and CRLF are handled as ``CSVReader`` handles them;
/// a row with another field count than the header is an error at its line. A header name may
/// be empty (pandas writes its index so); whether that is allowed is the caller's to say.
public struct TextTable: Sendable {
    /// The header's names, trimmed.
    public var names: [String]
    /// `columns[j][r]`: the trimmed text of row r in column j.
    public var columns: [[String]]
    /// The 1-based line of each row in the file.
    public var lines: [Int]
    /// The header's line.
    public var headerLine: Int
    public var file: String

    public var count: Int { lines.count }

    /// The cells of the column named `name`, or nil.
    public func column(_ name: String) -> [String]? {
        names.firstIndex(of: name).map { columns[$0] }
    }

    /// Reads the CSV file at `path`.
    public static func read(path: String) throws(LearningError) -> TextTable {
        try parse(try CSVReader.readFile(path), file: path)
    }

    /// Parses the bytes of a CSV file.
    static func parse(_ bytes: [UInt8], file: String) throws(LearningError) -> TextTable {
        var lines = LineCursor(bytes: bytes)
        guard let header = lines.nextNonBlank() else {
            throw .data(file: file, line: nil, message: "the file is empty (expected a header row)")
        }
        let names = try CSVReader.splitFields(bytes[header.range], file: file, line: header.number)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            let what = n.isEmpty ? "more than one column of the header has no name" : "column name '\(n)' appears twice in the header"
            throw .data(file: file, line: header.number, message: what)
        }
        var columns = [[String]](repeating: [], count: names.count)
        var rowLines: [Int] = []
        while let line = lines.nextNonBlank() {
            let fields = try CSVReader.splitFields(bytes[line.range], file: file, line: line.number)
            if fields.count != names.count {
                throw .data(file: file, line: line.number,
                            message: "expected \(names.count) fields as in the header, found \(fields.count)")
            }
            for (j, f) in fields.enumerated() { columns[j].append(f.trimmingCharacters(in: .whitespaces)) }
            rowLines.append(line.number)
        }
        if rowLines.isEmpty { throw .data(file: file, line: nil, message: "no data rows after the header") }
        return TextTable(names: names, columns: columns, lines: rowLines, headerLine: header.number, file: file)
    }
}
