import DataParallel
import Foundation

/// A sparse labelled table in compressed sparse row (CSR) form.
///
/// Row `i` holds the features `columns[rowOffsets[i] ..< rowOffsets[i + 1]]` (0-based, strictly
/// increasing) with the values at the same positions of `values`; every other feature of the
/// row is 0. Explicit zeros in the file are kept.
public struct SparseTable: Sendable, Equatable {
    /// `count + 1` offsets into `columns` and `values`; the first is 0, the last `values.count`.
    public var rowOffsets: [Int]
    /// 0-based feature index of each stored value.
    public var columns: [Int32]
    public var values: [Float]
    /// The label text of each row.
    public var labels: [String]
    /// The number of features: the expected count when one was given, else the largest
    /// (1-based) index in the file.
    public var featureCount: Int
    /// The file the table came from, for messages.
    public var file: String
    /// The line of the first row with the largest index (nil for a table not read from a file).
    public var largestIndexLine: Int? = nil

    public init(rowOffsets: [Int], columns: [Int32], values: [Float], labels: [String], featureCount: Int, file: String) {
        precondition(rowOffsets.count == labels.count + 1 && rowOffsets.first == 0 && rowOffsets.last == values.count)
        precondition(columns.count == values.count)
        self.rowOffsets = rowOffsets
        self.columns = columns
        self.values = values
        self.labels = labels
        self.featureCount = featureCount
        self.file = file
    }

    /// The number of rows.
    public var count: Int { labels.count }

    /// The stored features of row `i`.
    public func row(_ i: Int) -> (columns: ArraySlice<Int32>, values: ArraySlice<Float>) {
        let r = rowOffsets[i]..<rowOffsets[i + 1]
        return (columns[r], values[r])
    }
}

/// Reads LIBSVM / svmlight text files: one row per line,
///
///     label [qid:N] index:value index:value ... [# comment]
///
/// with 1-based feature indices in increasing order, separated by spaces or tabs. A `#`
/// starts a comment that runs to the end of the line; blank and comment-only lines are
/// skipped; LF or CRLF line ends and a UTF-8 byte-order mark are accepted. A `qid:N` (an
/// integer) right after the label is accepted and ignored (it groups rows for ranking, which
/// a classifier does not use). The label is kept as text, as CSV labels are.
///
/// Errors name the file and line: a line without a label, an index of 0 or not a positive
/// integer, indices out of order or repeated, a malformed `index:value` pair, a value that is
/// not a finite float32 decimal (values read exactly as `Float(String)` reads them; `nan`,
/// `inf` and hexadecimal floats are rejected), multi-label lines (`1,3 ...`).
public enum LIBSVMReader {
    /// The largest 1-based index: 0-based indices are stored as Int32.
    public static let maxIndex = Int(Int32.max)

    /// Reads the file at `path`; a large file is read and parsed in parallel on `pool` (by
    /// default one worker per active core, see ``parse(_:file:featureCount:pool:chunking:)``).
    /// - Parameter featureCount: the number of features expected (for data scored by a model
    ///   trained on another file): an index above it is an error, and the table has this many
    ///   features even when the file uses fewer. Nil: the largest index in the file.
    public static func read(path: String, featureCount: Int? = nil, pool: WorkerPool? = nil) throws(LearningError) -> SparseTable {
        let pool = pool ?? CSVReader.defaultPool(path)
        return try parse(try CSVReader.readFile(path, pool: pool), file: path, featureCount: featureCount, pool: pool)
    }

    /// Parses the bytes of a file; `file` names it in messages.
    ///
    /// The rows are cut into chunks at line starts exactly as ``CSVReader`` cuts a CSV file's
    /// (see ``CSVChunking``: the cut depends on the file only), the chunks parse in parallel
    /// on `pool` and are joined in file order. The table, and the first error in file order
    /// with its line, are those of a serial parse for any pool and any chunking.
    public static func parse(_ bytes: [UInt8], file: String, featureCount: Int? = nil, pool: WorkerPool? = nil)
        throws(LearningError) -> SparseTable
    {
        try parse(bytes, file: file, featureCount: featureCount, pool: pool, chunking: .standard)
    }

    /// ``parse(_:file:featureCount:pool:)`` with the given chunking (tests cut small files
    /// into many chunks).
    static func parse(
        _ bytes: [UInt8], file: String, featureCount: Int?, pool: WorkerPool?, chunking: CSVChunking
    ) throws(LearningError) -> SparseTable {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let joined = try parseRows(bytes, data: start..<bytes.count, file: file, limit: featureCount,
                                   pool: pool, chunking: chunking)
        if joined.labels.isEmpty {
            throw .data(file: file, line: nil,
                        message: bytes.isEmpty ? "the file is empty" : "no data rows (each row is a line 'label index:value ...')")
        }
        var table = SparseTable(rowOffsets: joined.rowOffsets, columns: joined.columns, values: joined.values,
                                labels: joined.labels, featureCount: featureCount ?? joined.largestIndex, file: file)
        table.largestIndexLine = joined.largestIndexLine
        return table
    }

    /// The table under construction and the rules of one line.
    struct Parser {
        let file: String
        let limit: Int?
        /// The rows parsed so far, line numbers counted from the parser's first line.
        var rows = LIBSVMRows()

        init(file: String, limit: Int?) {
            self.file = file
            self.limit = limit
        }

        @inline(__always)
        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

        /// A token of the file for a message: at most 40 characters, as text.
        static func show(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> String {
            let text = String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
            return text.count > 40 ? String(text.prefix(40)) + "..." : text
        }

        /// Parses the line `range` (without its line end and comment) and appends its row.
        /// - Parameter bufferEnd: the end of the readable bytes (a number scan may look at the
        ///   byte after a token when it lies before this).
        /// - Returns: the line's error, if any.
        mutating func parseLine(_ base: UnsafePointer<UInt8>, _ range: Range<Int>, bufferEnd: Int, line: Int) -> LearningError? {
            func fail(_ message: String) -> LearningError { .data(file: file, line: line, message: message) }
            var p = range.lowerBound
            let end = range.upperBound
            /// The next token: from the next non-space byte to the space or end after it.
            func nextToken() -> Range<Int>? {
                while p < end && Self.isSpace(base[p]) { p += 1 }
                if p == end { return nil }
                let start = p
                while p < end && !Self.isSpace(base[p]) { p += 1 }
                return start..<p
            }
            guard let labelToken = nextToken() else { return nil }  // blank or comment only
            let labelText = Self.show(base, labelToken)
            if memchr(base + labelToken.lowerBound, Int32(UInt8(ascii: ":")), labelToken.count) != nil {
                return fail("the line has no label: it starts with '\(labelText)' (each row is 'label index:value ...')")
            }
            if memchr(base + labelToken.lowerBound, Int32(UInt8(ascii: ",")), labelToken.count) != nil {
                return fail("multi-label rows ('\(labelText)') are not supported; give one label per row")
            }
            // Decoded, every byte that is not UTF-8 would become U+FFFD, and distinct labels one class.
            guard let label = String(validating: UnsafeBufferPointer(start: base + labelToken.lowerBound, count: labelToken.count),
                                     as: UTF8.self) else {
                return fail("the label '\(labelText)' is not valid UTF-8 text; save the file as UTF-8")
            }
            var previous = 0
            var first = true
            while let token = nextToken() {
                defer { first = false }
                let text = { Self.show(base, token) }
                guard let colon = memchr(base + token.lowerBound, Int32(UInt8(ascii: ":")), token.count)
                    .map({ UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base }) else {
                    return fail("'\(text())' is not an index:value pair")
                }
                let name = token.lowerBound..<colon, valueRange = colon + 1..<token.upperBound
                if valueRange.isEmpty || name.isEmpty
                    || memchr(base + valueRange.lowerBound, Int32(UInt8(ascii: ":")), valueRange.count) != nil {
                    return fail("'\(text())' is not an index:value pair")
                }
                if name.count == 3 && base[name.lowerBound] == UInt8(ascii: "q") && base[name.lowerBound + 1] == UInt8(ascii: "i")
                    && base[name.lowerBound + 2] == UInt8(ascii: "d") {
                    guard first else { return fail("'\(text())': qid must come right after the label") }
                    guard Self.integer(base, valueRange) != nil else {
                        return fail("'\(text())': qid must be an integer")
                    }
                    continue
                }
                // The index: 1 to maxIndex, digits only.
                var index = 0
                for i in name {
                    let d = base[i] &- 0x30
                    if d > 9 { return fail("feature index in '\(text())' is not a positive integer") }
                    if index <= maxIndex { index = index * 10 + Int(d) }
                }
                if index == 0 { return fail("feature index 0 in '\(text())': indices start at 1") }
                if index > maxIndex { return fail("feature index in '\(text())' is larger than \(maxIndex)") }
                if index == previous { return fail("feature index \(index) appears twice") }
                if index < previous {
                    return fail("feature index \(index) comes after \(previous): indices must increase along a row")
                }
                if let limit, index > limit { return fail("feature index \(index) is above the \(limit) features expected") }
                guard let value = Self.number(base, valueRange, bufferEnd: bufferEnd) else {
                    let v = Self.show(base, valueRange)
                    if ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(v.lowercased()) {
                        return fail("feature \(index) is \(v); values must be finite numbers")
                    }
                    if let f = Float(v), !f.isFinite, v.utf8.allSatisfy(Self.isDecimalByte) {
                        return fail("feature \(index) value \(v) is out of the float32 range")
                    }
                    return fail("feature \(index) value '\(v)' is not a number")
                }
                rows.columns.append(Int32(index - 1))
                rows.values.append(value)
                previous = index
            }
            if previous > rows.largestIndex { (rows.largestIndex, rows.largestIndexLine) = (previous, line) }
            rows.labels.append(label)
            rows.rowOffsets.append(rows.columns.count)
            return nil
        }

        static func isDecimalByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        }

        /// An optionally signed decimal integer (at most 18 digits), or nil.
        static func integer(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> Int? {
            var i = range.lowerBound
            if i < range.upperBound && (base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+")) { i += 1 }
            let digits = range.upperBound - i
            guard digits > 0 && digits <= 18 else { return nil }
            var v = 0
            while i < range.upperBound {
                let d = base[i] &- 0x30
                if d > 9 { return nil }
                v = v * 10 + Int(d)
                i += 1
            }
            return base[range.lowerBound] == UInt8(ascii: "-") ? -v : v
        }

        /// The finite float32 value of the decimal text `range`, exactly as `Float(String)`
        /// reads it; nil for anything else.
        static func number(_ base: UnsafePointer<UInt8>, _ range: Range<Int>, bufferEnd: Int) -> Float? {
            // The fast path scans until a byte that cannot continue a number: the space, tab,
            // '#', CR or LF after the token, when there is one.
            if range.upperBound < bufferEnd {
                var value: Float = 0
                if let after = FloatParsing.parsePrefix(base + range.lowerBound, into: &value),
                   after == base + range.upperBound {
                    return value
                }
            }
            let bytes = UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
            guard bytes.allSatisfy(isDecimalByte), let v = Float(String(decoding: bytes, as: UTF8.self)), v.isFinite else {
                return nil
            }
            return v
        }
    }
}
