// libFuzzer target: the CSV reader. Each input is parsed serially, in parallel chunks of a
// size taken from the input, and by the serial reference parser of the tests
// (Tests/LearningTests/CSVSerialReference.swift); all three must give the same table bit for
// bit, or the same error at the same line.
import DataParallel
import Foundation
@testable import Learning

let pool = try! WorkerPool(workers: 2)

func same(_ a: Result<LabeledTable, LearningError>, _ b: Result<LabeledTable, LearningError>) -> Bool {
    switch (a, b) {
    case (.failure(let x), .failure(let y)): return x == y
    case (.success(let x), .success(let y)):
        return x.featureNames == y.featureNames && x.labels == y.labels && x.file == y.file
            && x.features.map(\.bitPattern) == y.features.map(\.bitPattern)
    default: return false
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let chunkBytes = 1 + (bytes.first.map(Int.init) ?? 0) % 48
    for (label, required) in [("label", false), ("label", true), (nil, false)] as [(String?, Bool)] {
        let reference = Result { () throws(LearningError) in
            try CSVSerialReference.parse(bytes, file: "f.csv", labelColumn: label, requireLabel: required)
        }
        let serial = Result { () throws(LearningError) in
            try CSVReader.parse(bytes, file: "f.csv", labelColumn: label, requireLabel: required, pool: nil,
                                chunking: CSVChunking(chunkBytes: Int.max, maxChunks: 1))
        }
        let chunked = Result { () throws(LearningError) in
            try CSVReader.parse(bytes, file: "f.csv", labelColumn: label, requireLabel: required, pool: pool,
                                chunking: CSVChunking(chunkBytes: chunkBytes, maxChunks: 1 << 16))
        }
        if !same(serial, reference) { fuzzFailure("serial parse \(serial) differs from the reference \(reference)") }
        if !same(chunked, reference) {
            fuzzFailure("parse in chunks of \(chunkBytes) B \(chunked) differs from the reference \(reference)")
        }
        if case .failure(let e) = serial { checkOneLine(e) }
        if case .success(let t) = serial {
            if t.features.contains(where: { !$0.isFinite }) { fuzzFailure("a non-finite value was accepted") }
            if t.features.count != t.count * t.featureNames.count { fuzzFailure("features are not rows x columns") }
        }
    }
    return 0
}
