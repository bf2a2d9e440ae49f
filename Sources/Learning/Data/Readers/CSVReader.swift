import DataParallel
import Foundation

/// Reads comma-separated files with a header row: one named label column, every other
/// column a numeric feature.
///
/// Accepted: a UTF-8 byte-order mark, LF or CRLF line ends, fields in double quotes (with
/// "" for a quote inside), blank lines (skipped). Every error names the file and line.
///
/// Large files are read and parsed in parallel (see ``CSVChunking``), numbers straight from
/// the bytes (see ``FloatParsing``); lines with quotes are unquoted into a scratch buffer first.
/// Values, labels and errors are the same for any pool: bit for bit those of `Float(String)`
/// on each field, and the first bad row in file order.
public enum CSVReader {
    /// Reads a labelled table. `label` names the label column.
    /// - Parameters:
    ///   - weight: the name of a column of per-sample weights (finite, >= 0, not all 0), which
    ///     then becomes the table's `weights` instead of a feature; nil for none.
    ///   - pool: the threads that parse large files; nil for one per active core.
    ///     The result does not depend on it.
    public static func read(path: String, label: String, weight: String? = nil, pool: WorkerPool? = nil)
        throws(LearningError) -> LabeledTable
    {
        let pool = pool ?? defaultPool(path)
        let bytes = try readFile(path, pool: pool)
        let table: LabeledTable
        do {
            table = try parse(bytes, file: path, labelColumn: label, requireLabel: true, pool: pool)
        } catch {
            throw everyColumnProblem(error, bytes: bytes, file: path, label: label, weight: weight, featureNames: nil)
        }
        guard let weight else { return table }
        return try takingWeights(table, column: weight, bytes: bytes)
    }

    /// Reads a file of features for a trained model: the columns must be exactly
    /// `featureNames` (in any order), plus optionally the label column and the columns in
    /// `ignoring` (such as the training data's weight column), which are left out.
    /// - Returns: features in `featureNames` order, and labels when the label column is present.
    /// - Parameter pool: the threads that parse large files; nil for one per active core.
    public static func readForModel(path: String, featureNames: [String], label: String, ignoring: [String] = [],
                                    pool: WorkerPool? = nil)
        throws(LearningError) -> (features: [Float], labels: [String]?, count: Int)
    {
        let pool = pool ?? defaultPool(path)
        let bytes = try readFile(path, pool: pool)
        let hasLabel = try header(bytes, file: path).contains(label)
        var table: LabeledTable
        do {
            table = try parse(bytes, file: path, labelColumn: hasLabel ? label : nil, requireLabel: false, pool: pool)
        } catch {
            throw everyColumnProblem(error, bytes: bytes, file: path, label: label, weight: ignoring.first,
                                     featureNames: featureNames)
        }
        for name in ignoring where !featureNames.contains(name) && name != label {
            if let j = table.featureNames.firstIndex(of: name), table.featureNames.count > 1 {
                table = table.removingColumn(j).table
            }
        }
        let matched = try table.matchingColumns(featureNames)
        return (matched.features, hasLabel ? matched.labels : nil, matched.count)
    }

    /// The error that names every bad column of the file when `error` (from the numeric
    /// parser, which stops at the first bad cell) is about a cell's value: the file is read as
    /// text and every column (or, with `featureNames`, every one of those) is checked as a
    /// numeric feature column, so one message lists each column's first bad line (see
    /// ``ColumnProblems``). Otherwise (a structural problem, a missing label) `error` itself.
    static func everyColumnProblem(_ error: LearningError, bytes: [UInt8], file: String, label: String, weight: String?,
                                   featureNames: [String]?) -> LearningError {
        guard case .data = error, let text = try? TextTable.parse(bytes, file: file) else { return error }
        do {
            if let featureNames {
                guard featureNames.allSatisfy(text.names.contains) else { return error }
                let others = text.names.filter { !featureNames.contains($0) && $0 != label && $0 != weight }
                let numeric = ColumnPreprocessing(
                    columns: featureNames.map { .numeric(.init(name: $0, fill: nil, indicator: false)) }, ignored: others)
                _ = try numeric.transform(text, label: label, weight: weight)
            } else {
                guard text.names.contains(label) else { return error }
                _ = try ColumnPreprocessing.learn(text, label: label, weight: weight, data: DataConfig(),
                                                  trainingRows: Array(0..<text.count))
            }
        } catch let found {
            return found
        }
        return error
    }

    /// Moves the feature column `column` of `table` (parsed from `bytes`) into its weights and
    /// checks them: every weight >= 0 (an error names the row's line), and not all 0.
    static func takingWeights(_ table: LabeledTable, column: String, bytes: [UInt8]) throws(LearningError) -> LabeledTable {
        let file = table.file
        guard let j = table.featureNames.firstIndex(of: column) else {
            throw .data(file: file, line: headerLine(bytes),
                        message: "no weight column '\(column)' in the header (columns: \(table.featureNames.prefix(8).joined(separator: ", "))\(table.featureNames.count > 8 ? ", ..." : "")); set data.weight to its name")
        }
        if table.featureNames.count == 1 {
            throw .data(file: file, line: headerLine(bytes), message: "no feature columns besides the label and the weight column '\(column)'")
        }
        var (out, weights) = table.removingColumn(j)
        if let r = weights.firstIndex(where: { !($0 >= 0) }) {
            throw .data(file: file, line: lineOfRow(bytes, r),
                        message: "weight column '\(column)' value \(weights[r]) is negative; sample weights must be >= 0")
        }
        if !weights.contains(where: { $0 > 0 }) {
            throw .data(file: file, line: nil, message: "every value of the weight column '\(column)' is 0; at least one row needs a positive weight")
        }
        // -0 is a weight of 0.
        for i in weights.indices where weights[i] == 0 { weights[i] = 0 }
        out.weights = weights
        return out
    }

    /// The line number of the header (the first non-blank line).
    static func headerLine(_ bytes: [UInt8]) -> Int? {
        var lines = LineCursor(bytes: bytes)
        return lines.nextNonBlank()?.number
    }

    /// The line number of data row `row` (0-based; blank lines are not rows), for messages.
    static func lineOfRow(_ bytes: [UInt8], _ row: Int) -> Int? {
        var lines = LineCursor(bytes: bytes)
        guard lines.nextNonBlank() != nil else { return nil }
        var r = 0
        while let l = lines.nextNonBlank() {
            if r == row { return l.number }
            r += 1
        }
        return nil
    }

    /// One worker per active core for a file large enough to read and parse in parallel
    /// (two standard chunks or more), else nil.
    static func defaultPool(_ path: String) -> WorkerPool? {
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) >= 2 * CSVChunking.standard.chunkBytes else { return nil }
        return try? WorkerPool(workers: 0)
    }

    /// The bytes of the file at `path`; large files are read in pieces in parallel on `pool`.
    /// While ``FileReading/onProgress`` is set, it hears of every `progressStep` bytes read.
    static func readFile(_ path: String, pool: WorkerPool? = nil, progressStep: Int = FileReading.progressStep)
        throws(LearningError) -> [UInt8]
    {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw .data(file: path, line: nil, message: "no such file")
        }
        if isDir.boolValue { throw .data(file: path, line: nil, message: "is a folder, not a data file") }
        try InputFile.checkKind(path) { .data(file: path, line: nil, message: $0) }
        if let bytes = readRegularFile(path, pool: pool, progressStep: progressStep) { return bytes }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .data(file: path, line: nil, message: "cannot read the file (check its permissions)")
        }
        return [UInt8](data)
    }

    /// The bytes of a non-empty regular file, read straight into the array (in pieces of a
    /// few MB in parallel on `pool`; in steps of `progressStep` bytes, each reported, while
    /// ``FileReading/onProgress`` is set); nil when that fails (the caller then tries
    /// Foundation, which gives the error).
    static func readRegularFile(_ path: String, pool: WorkerPool?, progressStep: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)  // a FIFO swapped in after the check does not block
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        /// Reads `range` of the file to the same place in `buffer`; the count read.
        func readPiece(_ buffer: UnsafeMutableRawPointer, _ range: Range<Int>) -> Int? {
            var done = 0
            while done < range.count {
                let n = pread(fd, buffer + range.lowerBound + done, range.count - done, off_t(range.lowerBound + done))
                if n > 0 {
                    done += n
                } else if n == 0 {
                    break  // the file is shorter than it was
                } else if errno != EINTR {
                    return nil
                }
            }
            return done
        }
        let progress = FileReading.onProgress
        let step = progress == nil ? size : max(1, progressStep)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var start = 0
            while start < size {
                let end = min(size, start + step), offset = start
                let plan = ShardPlan(count: end - offset, grain: 4 << 20, maxShards: 256)
                var complete = false
                if let pool, plan.shardCount > 1, pool.workerCount > 1 {
                    complete = pool.mapReduce(plan, map: { _, piece in
                        let range = (offset + piece.lowerBound)..<(offset + piece.upperBound)
                        return readPiece(buffer.baseAddress!, range) == range.count
                    }, combine: { $0 && $1 }) ?? false
                }
                if !complete {
                    // Serially (also when the parallel read came short: the file changed meanwhile).
                    guard let n = readPiece(buffer.baseAddress!, offset..<end) else {
                        failed = true
                        return
                    }
                    if n < end - offset {  // the file is shorter than it was
                        initialized = offset + n
                        return
                    }
                }
                start = end
                progress?(FileReadProgress(file: path, bytesRead: end, totalBytes: size))
            }
            initialized = size
        }
        return failed ? nil : bytes
    }

    /// The header's column names.
    static func header(_ bytes: [UInt8], file: String) throws(LearningError) -> [String] {
        var lines = LineCursor(bytes: bytes)
        guard let first = lines.nextNonBlank() else {
            throw .data(file: file, line: nil, message: "the file is empty (expected a header row)")
        }
        return try splitFields(bytes[first.range], file: file, line: first.number).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Parses a whole file. With `labelColumn` nil every column is a feature.
    ///
    /// The header is parsed first; the data rows then parse in chunks on `pool` (see
    /// ``CSVChunking``). Values, labels and the first error (message and line) are the same
    /// for any pool and any chunking.
    static func parse(
        _ bytes: [UInt8], file: String, labelColumn: String?, requireLabel: Bool,
        pool: WorkerPool? = nil, chunking: CSVChunking = .standard
    ) throws(LearningError) -> LabeledTable {
        var lines = LineCursor(bytes: bytes)
        guard let headerLine = lines.nextNonBlank() else {
            throw .data(file: file, line: nil, message: "the file is empty (expected a header row)")
        }
        let names = try splitFields(bytes[headerLine.range], file: file, line: headerLine.number)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for (i, n) in names.enumerated() {
            if n.isEmpty {
                throw .data(file: file, line: headerLine.number, message: i == 0
                    ? "column 1 of the header has no name: it looks like the index pandas' to_csv() writes; write the file "
                        + "with to_csv(index=False), or add \"ignore\": [\"\"] to the config's data section to leave it out"
                    : "column \(i + 1) of the header has no name")
            }
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

        let dataStart = min(lines.position, bytes.count)
        let layout = CSVLayout(names: names, labelIndex: labelIndex ?? -1, file: file)
        let (features, labels) = try parseRows(
            bytes, data: dataStart..<bytes.count, firstLine: headerLine.number + 1, layout: layout,
            pool: pool, chunking: chunking)
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

    /// Splits one line into fields, honouring double quotes; a field that is not valid UTF-8
    /// is an error at the line.
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
struct LineCursor {
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
