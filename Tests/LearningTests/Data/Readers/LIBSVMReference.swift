import Foundation

/// A plain reading of the LIBSVM grammar (see ``LIBSVMReader``) with Array and String
/// operations, written independently of the byte-level reader: the oracle for generated
/// files in the tests and for the fuzz target (scripts/fuzz), which compiles this file too.
enum LIBSVMReference {
    struct Table: Equatable {
        var labels: [String] = []
        var rows: [[Entry]] = []
    }

    /// A stored feature: its 1-based index and the bits of its float32 value.
    struct Entry: Equatable {
        var index: Int
        var bits: UInt32
    }

    struct LineError: Error, Equatable { var line: Int }

    /// The rows of `bytes`, or the line of the first error. A file without rows gives an
    /// empty table (the reader reports that as an error of the whole file).
    static func parse(_ bytes: [UInt8]) -> Result<Table, LineError> {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var table = Table()
        let space: UInt8 = 0x20, tab: UInt8 = 0x09
        for (i, rawLine) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var line = Array(rawLine)
            if line.last == 0x0D { line.removeLast() }
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = Array(line[..<hash]) }
            let tokens = line.split(whereSeparator: { $0 == space || $0 == tab })
            guard let label = tokens.first else { continue }
            let fail = Result<Table, LineError>.failure(LineError(line: i + 1))
            if label.contains(UInt8(ascii: ":")) || label.contains(UInt8(ascii: ",")) { return fail }
            guard let labelText = String(validating: label, as: UTF8.self) else { return fail }
            var row: [Entry] = []
            for (k, token) in tokens.dropFirst().enumerated() {
                let parts = token.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
                    .map { String(decoding: $0, as: UTF8.self) }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return fail }
                if parts[0] == "qid" {
                    // Digits are compared as bytes: a digit and a combining mark after it make
                    // one Character, which compares between "0" and "9".
                    var q = Substring(parts[1]).utf8[...]
                    if q.first == UInt8(ascii: "+") || q.first == UInt8(ascii: "-") { q = q.dropFirst() }
                    guard k == 0, !q.isEmpty, q.count <= 18, q.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return fail }
                    continue
                }
                guard parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let index = Int(parts[0]),
                      index >= 1, index <= Int(Int32.max), index > (row.last?.index ?? 0) else { return fail }
                let decimal = parts[1].utf8.allSatisfy { Array("0123456789.+-eE".utf8).contains($0) }
                guard decimal, let v = Float(parts[1]), v.isFinite else { return fail }
                row.append(Entry(index: index, bits: v.bitPattern))
            }
            table.labels.append(labelText)
            table.rows.append(row)
        }
        return .success(table)
    }
}
