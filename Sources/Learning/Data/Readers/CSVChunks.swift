import DataParallel
import Foundation
import Synchronization

/// How ``CSVReader`` cuts the data rows of a file into chunks that parse in parallel.
///
/// The data part (everything after the header line) is cut by a ``ShardPlan`` over its byte
/// count with `chunkBytes` per shard, so the cut depends only on the file, never on the
/// worker count; each cut then moves forward to the next line start. A data part smaller
/// than `2 * chunkBytes` is one chunk, parsed serially.
///
/// Files with quoted fields are cut the same way: the reader takes every line end as the end
/// of a row, inside quotes too (a quoted field that does not close on its line is an error),
/// so each line parses on its own and a cut at a line start gives what a serial read gives,
/// errors and their lines included.
struct CSVChunking: Sendable {
    /// Bytes per chunk (the shard grain), >= 1.
    var chunkBytes: Int
    /// At most this many chunks.
    var maxChunks: Int

    /// Half-MiB chunks: files from 1 MiB on parse in parallel, and a few hundred chunks of a
    /// 100 MB file keep two to sixteen workers evenly busy.
    static let standard = CSVChunking(chunkBytes: 1 << 19, maxChunks: 1 << 16)
}

/// What the row parser needs to know about the columns.
struct CSVLayout: Sendable {
    /// Header names, one per column.
    let names: [String]
    /// The label column, or -1 when there is none (every column is a feature).
    let labelIndex: Int
    /// The file, for messages.
    let file: String

    var featureCount: Int { labelIndex < 0 ? names.count : names.count - 1 }
}

/// A chunk of the data part: its bytes (from a line start to a line start or the end of the
/// file), its line ends and its non-blank lines (each one a row, or an error).
struct CSVChunkExtent {
    var range: Range<Int>
    var lines = 0
    var rows = 0
}

/// Room for one quoted line's fields, unquoted: each field's bytes and a LF after them (which
/// stops the number scans), and where each field ends.
struct CSVQuotedScratch {
    var bytes: [UInt8] = []
    var fieldEnds: [Int] = []
}

/// What parsing one chunk gives besides the features it writes.
struct CSVChunkResult {
    var labels: [String] = []
    /// The first error in the chunk, with its line in the file.
    var error: LearningError? = nil
    /// True when the chunk stopped early because an earlier chunk failed.
    var abandoned = false
}

/// The lowest index of a chunk that found an error, so that later chunks can stop early.
final class CSVFirstFailure: Sendable {
    private let value = Atomic<Int>(Int.max)
    func record(_ chunk: Int) { value.min(chunk, ordering: .relaxed) }
    func precedes(_ chunk: Int) -> Bool { value.load(ordering: .relaxed) < chunk }
}

extension CSVReader {
    /// Parses the data rows in `data` (a range of `bytes` that starts at a line start).
    ///
    /// Two passes over chunks, each in parallel on `pool`: the first counts every chunk's
    /// lines and rows, which places each chunk's rows in the result and gives its first line
    /// number; the second parses each chunk straight into its place. Results and the first
    /// error (in file order, with its line) are those of a serial parse.
    /// - Parameter firstLine: the line number of the line at `data.lowerBound`.
    static func parseRows(
        _ bytes: [UInt8], data: Range<Int>, firstLine: Int, layout: CSVLayout,
        pool: WorkerPool?, chunking: CSVChunking
    ) throws(LearningError) -> (features: [Float], labels: [String]) {
        if data.isEmpty { return ([], []) }
        let plan = ShardPlan(count: data.count, grain: max(chunking.chunkBytes, 1), maxShards: max(chunking.maxChunks, 1))
        let d = layout.featureCount
        var results: [CSVChunkResult] = []
        var features: [Float] = []
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            // Without a double quote anywhere no line needs looking at for one. memchr is vectorised.
            let hasQuote = memchr(base + data.lowerBound, Int32(UInt8(ascii: "\"")), data.count) != nil
            let parallelPool = plan.shardCount > 1 ? (pool ?? (try? WorkerPool(workers: 0))) : nil

            // Pass 1: where the chunks are, and their lines and rows.
            let extents: [CSVChunkExtent]
            if let parallelPool {
                extents = parallelPool.mapReduce(plan, map: { _, range in
                    let start = lineStart(base, atOrAfter: data.lowerBound + range.lowerBound, in: data)
                    let end = lineStart(base, atOrAfter: data.lowerBound + range.upperBound, in: data)
                    return [measure(base, start..<end)]
                }, combine: { $0 + $1 }) ?? []
            } else {
                extents = [measure(base, data)]
            }
            var rowOffsets: [Int] = [], lineOffsets: [Int] = []
            var rows = 0, lines = firstLine - 1
            for e in extents {
                rowOffsets.append(rows)
                lineOffsets.append(lines)
                rows += e.rows
                lines += e.lines
            }

            // Pass 2: every chunk parses into its rows of the result.
            let failure = CSVFirstFailure()
            features = floatsOnHugePages(count: rows * d) { out in
                // No rows: every line is blank, nothing to parse and nothing that can fail.
                guard let target = out.baseAddress, rows > 0 else { return }
                let parse = { (c: Int) -> CSVChunkResult in
                    parseChunk(bytes, base: base, extent: extents[c], firstLine: lineOffsets[c] + 1, layout: layout,
                               hasQuote: hasQuote, into: target + rowOffsets[c] * d,
                               index: c, failure: parallelPool == nil ? nil : failure)
                }
                if let parallelPool {
                    results = parallelPool.mapReduce(ShardPlan(count: extents.count, shardCount: extents.count),
                                                     map: { c, _ in [parse(c)] }, combine: { $0 + $1 }) ?? []
                } else {
                    results = extents.indices.map(parse)
                }
                // Rows of a failed parse may be unwritten; the array is then thrown away (and
                // Float needs no initialisation to be discarded).
            }
        }

        // The first error in file order: chunks before the first failing one ran to their end.
        var labelCount = 0
        for result in results {
            if let error = result.error { throw error }
            precondition(!result.abandoned, "a chunk stopped without an earlier failure")
            labelCount += result.labels.count
        }
        var labels: [String] = []
        labels.reserveCapacity(labelCount)
        for result in results { labels.append(contentsOf: result.labels) }
        return (features, labels)
    }

    /// `position` if a line starts there (or it is an end of `data`), else the start of the
    /// next line.
    static func lineStart(_ base: UnsafePointer<UInt8>, atOrAfter position: Int, in data: Range<Int>) -> Int {
        if position <= data.lowerBound { return data.lowerBound }
        if position >= data.upperBound { return data.upperBound }
        if base[position - 1] == 0x0A { return position }
        guard let lf = memchr(base + position, 0x0A, data.upperBound - position) else { return data.upperBound }
        return UnsafePointer<UInt8>(lf.assumingMemoryBound(to: UInt8.self)) - base + 1
    }

    /// The line ends and the non-blank lines of `range`, walked as ``parseChunk`` walks them.
    static func measure(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> CSVChunkExtent {
        var extent = CSVChunkExtent(range: range)
        let end = base + range.upperBound
        var p = base + range.lowerBound
        while p < end {
            extent.lines += 1
            let lineEnd = memchr(p, 0x0A, end - p).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) } ?? end
            if !isBlank(p, lineEnd) { extent.rows += 1 }
            p = lineEnd < end ? lineEnd + 1 : end
        }
        return extent
    }

    /// Whether `start..<lineEnd` (a line with its CR, if any, but not its LF) is blank: only
    /// spaces and tabs once a CR before the LF is dropped.
    @inline(__always)
    static func isBlank(_ start: UnsafePointer<UInt8>, _ lineEnd: UnsafePointer<UInt8>) -> Bool {
        var stop = lineEnd
        if stop > start && stop[-1] == 0x0D { stop -= 1 }
        var q = start
        while q < stop && (q.pointee == 0x20 || q.pointee == 0x09) { q += 1 }
        return q == stop
    }

    /// Parses the lines of `extent` into `out` (room for exactly `extent.rows` rows). Stops at
    /// the first error, or when `failure` says an earlier chunk failed.
    static func parseChunk(
        _ bytes: [UInt8], base: UnsafePointer<UInt8>, extent: CSVChunkExtent, firstLine: Int, layout: CSVLayout,
        hasQuote: Bool, into out: UnsafeMutablePointer<Float>, index: Int, failure: CSVFirstFailure?
    ) -> CSVChunkResult {
        var result = CSVChunkResult()
        result.labels.reserveCapacity(extent.rows)
        let d = layout.featureCount
        let end = base + extent.range.upperBound
        var p = base + extent.range.lowerBound
        var line = firstLine - 1
        var rows = 0
        var label = ""
        var scratch = CSVQuotedScratch()
        while p < end {
            line += 1
            if line & 63 == 0, let failure, failure.precedes(index) {
                result.abandoned = true
                break
            }
            let lineEnd = memchr(p, 0x0A, end - p).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) } ?? end
            let next = lineEnd < end ? lineEnd + 1 : end
            defer { p = next }
            if isBlank(p, lineEnd) { continue }
            var stop = lineEnd
            if stop > p && stop[-1] == 0x0D { stop -= 1 }

            precondition(rows < extent.rows, "more rows than counted")
            let row = out + rows * d
            var fast = false
            if hasQuote && memchr(p, Int32(UInt8(ascii: "\"")), stop - p) != nil {
                fast = parseRowQuoted(p, stop, layout: layout, into: row, label: &label, scratch: &scratch)
            } else if lineEnd < end {
                fast = parseRowFast(p, stop, layout: layout, into: row, label: &label)
            } else {
                // The file's last line has no line end to stop the scans: parse a copy with one.
                var copy = [UInt8](UnsafeBufferPointer(start: p, count: stop - p))
                copy.append(0x0A)
                fast = copy.withUnsafeBufferPointer { c in
                    parseRowFast(c.baseAddress!, c.baseAddress! + (stop - p), layout: layout, into: row, label: &label)
                }
            }
            if !fast {
                do {
                    label = try parseRowSlow(bytes, p - base ..< stop - base, line: line, layout: layout, into: row)
                } catch {
                    result.error = error
                    failure?.record(index)
                    break
                }
            }
            result.labels.append(label)
            rows += 1
        }
        precondition(result.error != nil || result.abandoned || rows == extent.rows, "fewer rows than counted")
        return result
    }

    /// Parses one line without quotes, `start..<end`, into `row` and `label`. Returns false
    /// (with `row` and `label` in any state) when the line needs the slow path: a wrong field
    /// count, an empty label, or a number that both the fast path and `parseNumber` reject.
    /// - Precondition: `end` points at a readable CR or LF (the line end), which stops every
    ///   scan below without a bounds check.
    @inline(__always)
    static func parseRowFast(
        _ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, layout: CSVLayout,
        into row: UnsafeMutablePointer<Float>, label: inout String
    ) -> Bool {
        let last = layout.names.count - 1
        let labelAt = layout.labelIndex
        var p = start
        if labelAt < 0 {
            // Every column a number: `last` of them end at a comma, the last one at the line end.
            guard let q = numberRun(p, end, count: last, column: 0, layout: layout, into: row) else { return false }
            guard let (value, after) = numberField(q, end, column: last, layout: layout), after == end else { return false }
            row[last] = value
            label = ""
            return true
        }
        guard let q = numberRun(p, end, count: labelAt, column: 0, layout: layout, into: row) else { return false }
        guard let (text, after) = labelField(q, end) else { return false }
        label = text
        if labelAt == last { return after == end }
        if after.pointee != UInt8(ascii: ",") { return false }
        p = after + 1
        let rest = last - labelAt - 1
        guard let r = numberRun(p, end, count: rest, column: labelAt + 1, layout: layout, into: row + labelAt) else { return false }
        guard let (value, stop) = numberField(r, end, column: last, layout: layout), stop == end else { return false }
        row[last - 1] = value
        return true
    }

    /// Parses `count` number fields from `start`, each ending at a comma, into `row[0..<count]`.
    /// - Returns: the position after the last comma, or nil for the slow path.
    @inline(__always)
    static func numberRun(
        _ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, count: Int, column: Int, layout: CSVLayout,
        into row: UnsafeMutablePointer<Float>
    ) -> UnsafePointer<UInt8>? {
        let comma = UInt8(ascii: ",")
        var p = start
        var k = 0
        while k < count {
            // "0," (sparse data), then small unsigned integers, then everything else.
            if p.pointee == 0x30 && p[1] == comma {  // p[1] is readable: p[0] is not the line end
                row[k] = 0
                p += 2
                k += 1
                continue
            }
            var q = p
            var m: UInt32 = 0
            while true {
                let d = q.pointee &- 0x30
                if d > 9 { break }
                m = m &* 10 &+ UInt32(d)
                q += 1
            }
            if q.pointee == comma && UInt(bitPattern: q - p) &- 1 < 7 {
                row[k] = Float(Int32(bitPattern: m))  // exact: m < 10^7 < 2^24
            } else {
                guard let (value, after) = numberField(p, end, column: column + k, layout: layout),
                      after.pointee == comma else { return nil }
                row[k] = value
                q = after
            }
            p = q + 1
            k += 1
        }
        return p
    }

    /// Parses the number field at `start`.
    /// - Returns: its value and its end (a comma or `end`), or nil for the slow path.
    @inline(__always)
    static func numberField(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, column: Int, layout: CSVLayout)
        -> (Float, UnsafePointer<UInt8>)?
    {
        let comma = UInt8(ascii: ",")
        var q = start
        while q.pointee == 0x20 || q.pointee == 0x09 { q += 1 }
        var value: Float = 0
        if let after = FloatParsing.parsePrefix(q, into: &value) {
            q = after
            while q.pointee == 0x20 || q.pointee == 0x09 { q += 1 }
            if q == end || q.pointee == comma { return (value, q) }
        }
        return numberFieldSlow(start, end, column: column, layout: layout)
    }

    /// A field the fast path does not take goes through parseNumber, which gives
    /// Float(String)'s value, or nil when that rejects it (the slow path then reports it).
    @inline(never)
    static func numberFieldSlow(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, column: Int, layout: CSVLayout)
        -> (Float, UnsafePointer<UInt8>)?
    {
        var fieldEnd = start
        while fieldEnd < end && fieldEnd.pointee != UInt8(ascii: ",") { fieldEnd += 1 }
        let text = String(decoding: UnsafeBufferPointer(start: start, count: fieldEnd - start), as: UTF8.self)
        guard let value = try? parseNumber(text, column: layout.names[column], file: layout.file, line: 0) else { return nil }
        return (value, fieldEnd)
    }

    /// The label field at `start`, trimmed as the slow path trims it, and its end (a comma or
    /// `end`); nil when it is empty or not valid UTF-8 (the slow path reports both).
    @inline(__always)
    static func labelField(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (String, UnsafePointer<UInt8>)? {
        var q = start
        var high: UInt8 = 0
        while q < end && q.pointee != UInt8(ascii: ",") {
            high |= q.pointee
            q += 1
        }
        if high & 0x80 != 0 {
            // Non-ASCII: trim exactly as the slow path does (Unicode spaces); bytes that are not
            // UTF-8 go to the slow path, which rejects them.
            guard let t = String(validating: UnsafeBufferPointer(start: start, count: q - start), as: UTF8.self)?
                .trimmingCharacters(in: .whitespaces) else { return nil }
            return t.isEmpty ? nil : (t, q)
        }
        var a = start, b = q
        while a < b && (a.pointee == 0x20 || a.pointee == 0x09) { a += 1 }
        while b > a && (b[-1] == 0x20 || b[-1] == 0x09) { b -= 1 }
        if a == b { return nil }
        return (String(decoding: UnsafeBufferPointer(start: a, count: b - a), as: UTF8.self), q)
    }

    /// Parses one line that holds a double quote, `start..<end` (without its line end), into
    /// `row` and `label`: the fields are split and unquoted exactly as ``splitFields`` does,
    /// into `scratch`, and parsed there as the unquoted fast path parses them. Returns false
    /// (with `row` and `label` in any state) when the line needs the slow path: an unclosed
    /// quote, a wrong field count, an empty label, or a number `parseNumber` rejects.
    static func parseRowQuoted(
        _ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, layout: CSVLayout,
        into row: UnsafeMutablePointer<Float>, label: inout String, scratch: inout CSVQuotedScratch
    ) -> Bool {
        let columns = layout.names.count
        // Each field's bytes get one LF after them, and there are at most length + 1 fields.
        let need = 2 * (end - start) + 2
        if scratch.bytes.count < need { scratch.bytes = [UInt8](repeating: 0, count: need) }
        if scratch.fieldEnds.count < columns { scratch.fieldEnds = [Int](repeating: 0, count: columns) }
        return scratch.bytes.withUnsafeMutableBufferPointer { bytes -> Bool in
            scratch.fieldEnds.withUnsafeMutableBufferPointer { ends -> Bool in
                let out = bytes.baseAddress!
                let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
                var n = 0, fields = 0, fieldStart = 0
                var inQuotes = false, wasQuoted = false, onlySpaces = true
                var p = start
                while p < end {
                    let b = p.pointee
                    if inQuotes {
                        if b != quote {
                            out[n] = b
                            n += 1
                        } else if p + 1 < end && p[1] == quote {
                            out[n] = quote
                            n += 1
                            p += 1
                        } else {
                            inQuotes = false
                        }
                    } else if b == comma {
                        if fields == columns { return false }
                        out[n] = 0x0A
                        ends[fields] = n
                        fields += 1
                        n += 1
                        fieldStart = n
                        wasQuoted = false
                        onlySpaces = true
                    } else if b == quote && onlySpaces && !wasQuoted {
                        // An opening quote after nothing but spaces, which are dropped.
                        n = fieldStart
                        inQuotes = true
                        wasQuoted = true
                    } else {
                        out[n] = b
                        n += 1
                        if b != 0x20 { onlySpaces = false }
                    }
                    p += 1
                }
                if inQuotes || fields != columns - 1 { return false }
                out[n] = 0x0A
                ends[fields] = n

                var k = 0
                for j in 0..<columns {
                    let s = out + (j == 0 ? 0 : ends[j - 1] + 1), e = out + ends[j]
                    if j == layout.labelIndex {
                        guard let text = quotedLabel(s, e) else { return false }
                        label = text
                        continue
                    }
                    guard let (value, after) = numberField(s, e, column: j, layout: layout), after == e else { return false }
                    row[k] = value
                    k += 1
                }
                if layout.labelIndex < 0 { label = "" }
                return true
            }
        }
    }

    /// The label `start..<end` (a whole unquoted field, commas included) trimmed as the slow
    /// path trims it; nil when that leaves nothing or the bytes are not valid UTF-8.
    static func quotedLabel(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> String? {
        var high: UInt8 = 0
        var q = start
        while q < end {
            high |= q.pointee
            q += 1
        }
        if high & 0x80 != 0 {
            guard let t = String(validating: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)?
                .trimmingCharacters(in: .whitespaces) else { return nil }
            return t.isEmpty ? nil : t
        }
        var a = start, b = end
        while a < b && (a.pointee == 0x20 || a.pointee == 0x09) { a += 1 }
        while b > a && (b[-1] == 0x20 || b[-1] == 0x09) { b -= 1 }
        return a == b ? nil : String(decoding: UnsafeBufferPointer(start: a, count: b - a), as: UTF8.self)
    }

    /// Parses one line the general way (quotes, every check), as the serial reader always did.
    /// - Returns: the label ("" without a label column).
    static func parseRowSlow(
        _ bytes: [UInt8], _ range: Range<Int>, line: Int, layout: CSVLayout,
        into row: UnsafeMutablePointer<Float>
    ) throws(LearningError) -> String {
        let names = layout.names
        let fields = try splitFields(bytes[range], file: layout.file, line: line)
        if fields.count != names.count {
            throw .data(file: layout.file, line: line,
                        message: "expected \(names.count) fields as in the header, found \(fields.count)")
        }
        var label = ""
        var k = 0
        for (j, text) in fields.enumerated() {
            if j == layout.labelIndex {
                let t = text.trimmingCharacters(in: .whitespaces)
                if t.isEmpty { throw .data(file: layout.file, line: line, message: "the label is empty") }
                label = t
                continue
            }
            row[k] = try parseNumber(text, column: names[j], file: layout.file, line: line)
            k += 1
        }
        return label
    }
}
