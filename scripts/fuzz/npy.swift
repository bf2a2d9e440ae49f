// libFuzzer target: the .npy reader (features and labels). The reader takes a path, so each
// input is written to a file of this process first.
import Foundation
@testable import Learning

let npyPath = NSTemporaryDirectory() + "/minibatch-fuzz-\(getpid()).npy"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = fopen(npyPath, "wb"), fwrite(data, 1, size, file) == size, fclose(file) == 0 else {
        fuzzFailure("cannot write \(npyPath)")
    }
    var holdsStrings = false
    do {
        let (values, rows, columns) = try NPYReader.readMatrix(path: npyPath)
        if values.count != rows * columns || rows <= 0 || columns <= 0 { fuzzFailure("shape \(rows) x \(columns), \(values.count) values") }
        if values.contains(where: { !$0.isFinite }) { fuzzFailure("a non-finite value was accepted") }
    } catch {
        checkOneLine(error)
        holdsStrings = "\(error)".contains("holds strings")
    }
    do {
        let labels = try NPYReader.readLabels(path: npyPath)
        // Numbers print as "nan", "inf" or "-inf" when not finite; strings such as "nan" are text.
        if !holdsStrings && labels.contains(where: { $0 == "nan" || $0.hasSuffix("inf") }) {
            fuzzFailure("a non-finite label was accepted")
        }
    } catch {
        checkOneLine(error)
    }
    return 0
}
