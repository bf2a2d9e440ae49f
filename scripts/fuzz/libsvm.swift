// libFuzzer target: the LIBSVM reader, against the reference reading of the tests
// (Tests/LearningTests/LIBSVMReference.swift): the same rows, or an error at the same line.
import Foundation
@testable import Learning

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLIBSVM(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let got = Result { () throws(LearningError) in try LIBSVMReader.parse(bytes, file: "f.svm") }
    let want = LIBSVMReference.parse(bytes)
    switch (got, want) {
    case (.success(let t), .success(let w)):
        var g = LIBSVMReference.Table(labels: t.labels)
        for r in 0..<t.count {
            let row = t.row(r)
            g.rows.append(zip(row.columns, row.values).map { LIBSVMReference.Entry(index: Int($0) + 1, bits: $1.bitPattern) })
        }
        if g != w { fuzzFailure("rows differ from the reference") }
        if t.rowOffsets.count != t.count + 1 || t.rowOffsets.last != t.values.count || t.columns.count != t.values.count {
            fuzzFailure("inconsistent CSR arrays")
        }
        if let top = t.columns.max(), Int(top) >= t.featureCount { fuzzFailure("a column beyond featureCount") }
    case (.failure(let e), .success(let w)):
        checkOneLine(e)
        if !w.labels.isEmpty { fuzzFailure("reader fails with \(e), the reference reads \(w.labels.count) rows") }
    case (.success, .failure(let w)):
        fuzzFailure("reader succeeds, the reference fails at line \(w.line)")
    case (.failure(let e), .failure(let w)):
        checkOneLine(e)
        guard case .data(_, let line, _) = e, line == w.line else { fuzzFailure("\(e), the reference fails at line \(w.line)") }
    }
    return 0
}
