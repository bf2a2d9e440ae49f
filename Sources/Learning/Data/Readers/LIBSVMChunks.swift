import DataParallel
import Foundation

/// The rows one chunk of a LIBSVM file parses into: CSR arrays that start at 0, and line
/// numbers counted from the chunk's first line (1).
struct LIBSVMChunk {
    var parser: LIBSVMReader.Parser
    /// The lines of the chunk (line ends, plus an unterminated last line).
    var lines = 0
    /// The chunk's first error, its line counted from the chunk's first line.
    var error: LearningError? = nil
    /// True when the chunk stopped early because an earlier chunk failed.
    var abandoned = false
}

/// The rows of a whole file, joined from its chunks in file order.
struct LIBSVMRows {
    var rowOffsets = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    var labels: [String] = []
    var largestIndex = 0
    var largestIndexLine: Int? = nil
}

extension LIBSVMReader {
    /// Chunks parsed per round: each round's chunks parse in parallel and are then appended
    /// to the result, so that at most one round's chunk arrays exist besides the result.
    static func chunksPerRound(workers: Int) -> Int { max(8, 8 * workers) }

    /// Parses the rows in `data` (a range of `bytes` that starts at a line start).
    ///
    /// `data` is cut as ``CSVReader/parseRows`` cuts a CSV file's rows (a ``ShardPlan`` of
    /// `chunking.chunkBytes` per shard, each cut moved forward to a line start), so the cut
    /// depends on the file only. Rounds of chunks parse in parallel on `pool`; each chunk's
    /// rows are appended in file order, its line numbers (its error's and its largest index's)
    /// shifted by the lines of the chunks before it. The first chunk with an error ends the
    /// parse: every chunk before it parsed without one, so its error is the first in the file.
    /// A `data` smaller than two chunks parses serially, as one chunk.
    static func parseRows(
        _ bytes: [UInt8], data: Range<Int>, file: String, limit: Int?, pool: WorkerPool?, chunking: CSVChunking
    ) throws(LearningError) -> LIBSVMRows {
        var rows = LIBSVMRows()
        if data.isEmpty { return rows }
        let plan = ShardPlan(count: data.count, grain: max(chunking.chunkBytes, 1), maxShards: max(chunking.maxChunks, 1))
        var failure: LearningError? = nil
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            let parallelPool = plan.shardCount > 1 ? (pool ?? (try? WorkerPool(workers: 0))) : nil
            guard let parallelPool else {
                let chunk = parseChunk(base, data, bufferEnd: buffer.count, file: file, limit: limit, index: 0, failure: nil)
                if let error = chunk.error {
                    failure = error
                } else {
                    rows = chunk.parser.rows  // the arrays move over, not copied
                }
                return
            }
            // Every entry ("i:v" and a space or line end) takes 4 bytes or more: room reserved
            // once, of which only the pages written become resident.
            let bound = data.count / 4 + 1
            rows.columns.reserveCapacity(bound)
            rows.values.reserveCapacity(bound)
            let round = chunksPerRound(workers: parallelPool.workerCount)
            let firstFailure = CSVFirstFailure()
            var linesBefore = 0
            var first = 0
            while first < plan.shardCount && failure == nil {
                let last = min(first + round, plan.shardCount)
                let chunks = parallelPool.mapReduce(ShardPlan(count: last - first, shardCount: last - first), map: { i, _ -> [LIBSVMChunk] in
                    let c = first + i
                    let r = plan.range(of: c)
                    let start = CSVReader.lineStart(base, atOrAfter: data.lowerBound + r.lowerBound, in: data)
                    let end = CSVReader.lineStart(base, atOrAfter: data.lowerBound + r.upperBound, in: data)
                    return [parseChunk(base, start..<end, bufferEnd: buffer.count, file: file, limit: limit,
                                       index: c, failure: firstFailure)]
                }, combine: { $0 + $1 }) ?? []
                for chunk in chunks {
                    failure = rows.append(chunk, linesBefore: linesBefore)
                    if failure != nil { break }
                    precondition(!chunk.abandoned, "a chunk stopped without an earlier failure")
                    linesBefore += chunk.lines
                }
                first = last
            }
        }
        if let failure { throw failure }
        return rows
    }

    /// Parses the lines of `range` (from a line start to a line start or the end of the file)
    /// as the serial reader always has: one row per line, its comment and CR dropped. Stops
    /// at the first error, or when `failure` says an earlier chunk failed.
    /// - Parameter bufferEnd: the end of the readable bytes (a number scan may look at the
    ///   byte after a token when it lies before this).
    static func parseChunk(
        _ base: UnsafePointer<UInt8>, _ range: Range<Int>, bufferEnd: Int, file: String, limit: Int?,
        index: Int, failure: CSVFirstFailure?
    ) -> LIBSVMChunk {
        var chunk = LIBSVMChunk(parser: Parser(file: file, limit: limit))
        var p = range.lowerBound
        let n = range.upperBound
        while p < n {
            chunk.lines += 1
            if chunk.lines & 63 == 0, let failure, failure.precedes(index) {
                chunk.abandoned = true
                break
            }
            let lineEnd = memchr(base + p, 0x0A, n - p).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? n
            var stop = lineEnd
            if stop > p && base[stop - 1] == 0x0D { stop -= 1 }
            if let hash = memchr(base + p, Int32(UInt8(ascii: "#")), stop - p) {
                stop = UnsafePointer<UInt8>(hash.assumingMemoryBound(to: UInt8.self)) - base
            }
            if let error = chunk.parser.parseLine(base, p..<stop, bufferEnd: bufferEnd, line: chunk.lines) {
                chunk.error = error
                failure?.record(index)
                break
            }
            p = lineEnd + 1
        }
        return chunk
    }
}

extension LIBSVMRows {
    /// Appends the rows of `chunk`, whose first line follows `linesBefore` lines of the file.
    /// - Returns: the chunk's error with its line in the file, if it has one (its rows are
    ///   then not appended).
    mutating func append(_ chunk: LIBSVMChunk, linesBefore: Int) -> LearningError? {
        if let error = chunk.error {
            guard case let .data(file, line, message) = error else { return error }
            return .data(file: file, line: line.map { $0 + linesBefore }, message: message)
        }
        let parsed = chunk.parser.rows
        let offset = columns.count
        rowOffsets.reserveCapacity(rowOffsets.count + parsed.labels.count)
        for r in parsed.rowOffsets.dropFirst() { rowOffsets.append(r + offset) }
        columns.append(contentsOf: parsed.columns)
        values.append(contentsOf: parsed.values)
        labels.append(contentsOf: parsed.labels)
        // The first row with the largest index, as a serial parse finds it.
        if parsed.largestIndex > largestIndex {
            largestIndex = parsed.largestIndex
            largestIndexLine = parsed.largestIndexLine.map { $0 + linesBefore }
        }
        return nil
    }
}
