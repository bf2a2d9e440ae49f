import Foundation
import Learning

/// The command-line tool's two output streams. Every line a command prints goes through
/// ``out(_:)``, which checks that the bytes were written: stdout on a full disk (`> /dev/full`),
/// a closed descriptor or a failing device is then an error naming standard output (exit 1),
/// never a crash and never a silent exit 0.
enum Console {
    /// Writes `line` and a line break to stdout.
    /// - Throws: ``LearningError/output(file:message:)`` naming standard output when not every
    ///   byte could be written.
    static func out(_ line: String) throws(LearningError) {
        try write(line + "\n", to: STDOUT_FILENO, name: "standard output")
    }

    /// Writes `text` as it is (no line break added) to stdout.
    static func outRaw(_ text: String) throws(LearningError) {
        try write(text, to: STDOUT_FILENO, name: "standard output")
    }

    /// Writes `bytes` as they are to stdout.
    static func outBytes(_ bytes: [UInt8]) throws(LearningError) {
        try write(bytes, to: STDOUT_FILENO, name: "standard output")
    }

    /// One line on stderr, cut to a readable length when it quotes a huge input (a flag's
    /// value, say). A failure to write it is ignored: there is nowhere left to say so.
    static func error(_ line: String) {
        try? write(ErrorText.readable(line) + "\n", to: STDERR_FILENO, name: "standard error")
    }

    /// Text for stderr that is not a whole line (a progress bar's redraw); failures ignored.
    static func errorRaw(_ text: String) {
        try? write(text, to: STDERR_FILENO, name: "standard error")
    }

    /// Writes every byte of `text` to `descriptor` with write(2), retrying short writes and
    /// EINTR; any other failure throws with the system's reason.
    static func write(_ text: String, to descriptor: Int32, name: String) throws(LearningError) {
        try write(Array(text.utf8), to: descriptor, name: name)
    }

    /// Writes every one of `bytes` to `descriptor` (see ``write(_:to:name:)``).
    static func write(_ bytes: [UInt8], to descriptor: Int32, name: String) throws(LearningError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let r = Foundation.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if r > 0 { done += r; continue }
                if r < 0 && errno == EINTR { continue }
                failure = r < 0 ? errno : EIO
                return
            }
        }
        if failure != 0 {
            throw .output(file: name, message: "cannot write: \(String(cString: strerror(failure)))")
        }
    }
}
