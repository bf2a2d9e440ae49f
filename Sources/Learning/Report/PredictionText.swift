import DataParallel
import Foundation

/// The CSV that `minibatch predict` writes: a header, then one line per scored row with the
/// kept input columns, the predicted class and, with probabilities, one column per class
/// (float32 values in their shortest round-trip decimal form). Fields holding a comma, a quote
/// or a line break are quoted, inner quotes doubled.
///
/// The rows are formatted in chunks of ``rowsPerChunk`` on a pool's workers, each chunk into a
/// buffer of its own, and the buffers are handed over in input order a wave of chunks at a
/// time: the text is never held whole, and its bytes depend only on the scores, never on the
/// worker count or the chunking.
public struct PredictionText: Sendable {
    /// The input columns copied into the output, each with one cell per row.
    public var kept: [(name: String, cells: [String])]
    /// The model's label column (the prediction's header) and its classes.
    public var labelName: String
    public var classes: [String]
    public var scores: Scores
    /// Whether to write p_<class> columns.
    public var probabilities: Bool

    /// Rows formatted by one worker at a time.
    public static let rowsPerChunk = 4096

    public init(kept: [(name: String, cells: [String])], labelName: String, classes: [String], scores: Scores,
                probabilities: Bool) {
        self.kept = kept
        self.labelName = labelName
        self.classes = classes
        self.scores = scores
        self.probabilities = probabilities
    }

    /// The scored rows.
    public var count: Int { scores.predicted.count }

    /// The header line: kept names, the label column's name, and p_<class> per class.
    public var header: [UInt8] {
        var fields = kept.map { Self.csvField($0.name) } + [Self.csvField(labelName)]
        if probabilities { fields += classes.map { Self.csvField("p_" + $0) } }
        return Array((fields.joined(separator: ",") + "\n").utf8)
    }

    /// The lines of rows `range`, each ending in a line break.
    public func lines(_ range: Range<Int>) -> [UInt8] {
        let k = classes.count
        let labels = classes.map { Array(Self.csvField($0).utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count * (probabilities ? 12 * k + 16 : 16))
        scores.probabilities.withUnsafeBufferPointer { p in
            for i in range {
                for column in kept {
                    out.append(contentsOf: Self.csvField(column.cells[i]).utf8)
                    out.append(UInt8(ascii: ","))
                }
                out.append(contentsOf: labels[Int(scores.predicted[i])])
                if probabilities {
                    for c in 0..<k {
                        out.append(UInt8(ascii: ","))
                        out.append(contentsOf: p[i * k + c].description.utf8)
                    }
                }
                out.append(UInt8(ascii: "\n"))
            }
        }
        return out
    }

    /// Hands `write` the header, then every row's lines in input order, in chunks of
    /// `rowsPerChunk` rows formatted in parallel on `pool`, two chunks per worker per wave.
    /// A failing `write` stops the rows that follow.
    public func write<E: Error>(pool: WorkerPool, rowsPerChunk: Int = rowsPerChunk,
                                _ write: ([UInt8]) throws(E) -> Void) throws(E) {
        precondition(rowsPerChunk >= 1)
        try write(header)
        let n = count
        let chunks = (n + rowsPerChunk - 1) / rowsPerChunk
        let wave = max(1, 2 * pool.workerCount)
        let buffers = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: wave)
        buffers.initialize(repeating: [])
        defer { buffers.deinitialize(); buffers.deallocate() }
        var first = 0
        while first < chunks {
            let inWave = min(wave, chunks - first)
            pool.forEachShard(inWave) { s in
                let c = first + s
                buffers[s] = lines((c * rowsPerChunk)..<min(n, (c + 1) * rowsPerChunk))
            }
            for s in 0..<inWave {
                try write(buffers[s])
                buffers[s] = []
            }
            first += inWave
        }
    }

    /// `s` as a CSV field: quoted when it holds a comma, a quote or a line break.
    public static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
