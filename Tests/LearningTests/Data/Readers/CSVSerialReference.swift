import Foundation
@testable import Learning

/// The serial CSV parser as it was before the fast and parallel one (a verbatim copy, names
/// changed), the reference that the new parser's values, labels and errors must equal.
/// Since then only the message for an unclosed quote has changed (it says that a line break
/// inside quotes is not supported), here as in the reader.
enum CSVSerialReference {
    static func parse(_ bytes: [UInt8], file: String, labelColumn: String?, requireLabel: Bool) throws(LearningError) -> LabeledTable {
        var lines = ReferenceLineCursor(bytes: bytes)
        guard let headerLine = lines.nextNonBlank() else {
            throw .data(file: file, line: nil, message: "the file is empty (expected a header row)")
        }
        let names = try splitFields(bytes[headerLine.range], file: file, line: headerLine.number)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for (i, n) in names.enumerated() {
            if n.isEmpty { throw .data(file: file, line: headerLine.number, message: "column \(i + 1) of the header has no name") }
            if !seen.insert(n).inserted { throw .data(file: file, line: headerLine.number, message: "column name '\(n)' appears twice in the header") }
        }
        var labelIndex: Int? = nil
        if let labelColumn {
            labelIndex = names.firstIndex(of: labelColumn)
            if labelIndex == nil && requireLabel {
                throw .data(file: file, line: headerLine.number,
                            message: "no label column '\(labelColumn)' in the header (columns: \(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", ..." : "")); set data.label to its name")
            }
        }
        let featureNames = names.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        if featureNames.isEmpty { throw .data(file: file, line: headerLine.number, message: "no feature columns besides the label") }

        var features: [Float] = []
        var labels: [String] = []
        while let line = lines.nextNonBlank() {
            let fields = try splitFields(bytes[line.range], file: file, line: line.number)
            if fields.count != names.count {
                throw .data(file: file, line: line.number,
                            message: "expected \(names.count) fields as in the header, found \(fields.count)")
            }
            for (j, text) in fields.enumerated() {
                if j == labelIndex {
                    let t = text.trimmingCharacters(in: .whitespaces)
                    if t.isEmpty { throw .data(file: file, line: line.number, message: "the label is empty") }
                    labels.append(t)
                    continue
                }
                features.append(try parseNumber(text, column: names[j], file: file, line: line.number))
            }
            if labelIndex == nil { labels.append("") }
        }
        if labels.isEmpty {
            throw .data(file: file, line: nil, message: "no data rows after the header")
        }
        return LabeledTable(features: features, labels: labels, featureNames: featureNames, file: file)
    }

    /// A finite float32 value, or an error naming the column.
    static func parseNumber(_ text: String, column: String, file: String, line: Int) throws(LearningError) -> Float {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { throw .data(file: file, line: line, message: "column '\(column)' is empty (missing values are not supported)") }
        // Swift's parser accepts "nan", "inf" and hexadecimal floats; data files must not.
        let isDecimal = t.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        }
        guard isDecimal, let v = Float(t) else {
            let lower = t.lowercased()
            if ["nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"].contains(lower) {
                throw .data(file: file, line: line, message: "column '\(column)' is \(t); values must be finite numbers")
            }
            throw .data(file: file, line: line, message: "column '\(column)' value '\(t)' is not a number")
        }
        guard v.isFinite else {
            throw .data(file: file, line: line, message: "column '\(column)' value \(t) is out of the float32 range")
        }
        return v
    }

    /// Splits one line into fields, honouring double quotes.
    static func splitFields(_ line: ArraySlice<UInt8>, file: String, line number: Int) throws(LearningError) -> [String] {
        var fields: [String] = []
        /// Field `fields.count + 1` as text. Bytes that are not UTF-8 are an error: decoded, each
        /// would become U+FFFD, so that two labels in another encoding (Latin-1's "café" and
        /// "cafè") would silently become one class.
        func text(_ bytes: [UInt8]) throws(LearningError) -> String {
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw .data(file: file, line: number,
                            message: "field \(fields.count + 1) is not valid UTF-8 text; save the file as UTF-8")
            }
            return s
        }
        var current: [UInt8] = []
        var i = line.startIndex
        var inQuotes = false
        var wasQuoted = false
        while i < line.endIndex {
            let b = line[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < line.endIndex && line[i + 1] == UInt8(ascii: "\"") {
                        current.append(b)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(b)
                }
            } else if b == UInt8(ascii: ",") {
                let field = try text(current)
                fields.append(field)
                current.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else if b == UInt8(ascii: "\"") && current.allSatisfy({ $0 == 0x20 }) && !wasQuoted {
                current.removeAll()
                inQuotes = true
                wasQuoted = true
            } else {
                current.append(b)
            }
            i += 1
        }
        if inQuotes { throw .data(file: file, line: number, message: "a quoted field is not closed on this line (a line break inside quotes is not supported)") }
        let field = try text(current)
        fields.append(field)
        return fields
    }
}

/// Walks the lines of a byte buffer, giving 1-based line numbers and ranges without the
/// line end (LF or CRLF).
struct ReferenceLineCursor {
    let bytes: [UInt8]
    var position = 0
    var number = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    mutating func next() -> (range: Range<Int>, number: Int)? {
        guard position < bytes.count else { return nil }
        number += 1
        let start = position
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        position = end + 1
        var stop = end
        if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
        return (start..<stop, number)
    }

    /// The next line that holds anything but spaces and tabs.
    mutating func nextNonBlank() -> (range: Range<Int>, number: Int)? {
        while let l = next() {
            if bytes[l.range].contains(where: { $0 != 0x20 && $0 != 0x09 }) { return l }
        }
        return nil
    }
}
