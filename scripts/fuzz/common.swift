// Shared by every fuzz target (scripts/fuzz.sh compiles it into each one).
import Foundation
@testable import Learning

/// Stops the run with a message: libFuzzer reports the input as a crash and saves it.
func fuzzFailure(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("fuzz invariant broken: " + message + "\n").utf8))
    abort()
}

/// Every error a reader reports must print as one line (the CLI's rule for bad input).
func checkOneLine(_ error: LearningError) {
    let text = error.description
    if text.contains("\n") || text.contains("\r") { fuzzFailure("error message is not one line: \(text.debugDescription)") }
    if !error.isInputError { fuzzFailure("a reader reported a non-input error: \(text)") }
}

/// The input as an array.
func inputBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}
