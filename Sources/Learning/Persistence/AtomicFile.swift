import Foundation

/// Writes files so that a reader, or a crash at any moment, sees the old file or the new
/// one and never half of one: the bytes go to a temporary file in the same folder, are
/// flushed, and the temporary file is renamed over the target. A temporary file that a killed
/// process left is named `.NAME.tmp-PID-N` (``isTemporaryName(_:)``); the next run into the
/// folder removes it (``RunOutput``).
public enum AtomicFile {
    /// Writes `text` as the whole of `path`, atomically (from the string's own storage).
    public static func write(_ text: String, to path: String) throws(LearningError) {
        try replace(path) { temp throws(LearningError) in try writeFlushed(text, to: temp, naming: path) }
    }

    /// Writes `bytes` as the whole of `path`, atomically.
    public static func write(bytes: [UInt8], to path: String) throws(LearningError) {
        try replace(path) { temp throws(LearningError) in try writeFlushed(bytes, to: temp, naming: path) }
    }

    /// Writes a temporary file beside `path` with `writeTemporary`, then renames it over `path`.
    private static func replace(_ path: String, _ writeTemporary: (String) throws(LearningError) -> Void) throws(LearningError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent)\(temporaryMark)\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try writeTemporary(temp)
        if rename(temp, path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(temp)
            throw .output(file: path, message: "cannot replace the file: \(message)")
        }
    }

    static let temporaryMark = ".tmp-"

    /// True for the name of a temporary file that ``write(_:to:)`` makes.
    static func isTemporaryName(_ name: String) -> Bool {
        name.hasPrefix(".") && name.contains(temporaryMark)
    }

    /// Writes `text` to a new file at `path` and flushes it to the disk (write, fsync and
    /// close, each checked; a short write is continued, EINTR retried). On failure the file
    /// is removed and the error names `naming` (the file the user knows about).
    static func writeFlushed(_ text: String, to path: String, naming: String) throws(LearningError) {
        // The string's own UTF-8 storage, without a copy (a model file's text can be hundreds of MB).
        var text = text
        if let error = text.withUTF8({ writeFlushed(raw: UnsafeRawBufferPointer($0), to: path, naming: naming) }) { throw error }
    }

    static func writeFlushed(_ bytes: [UInt8], to path: String, naming: String) throws(LearningError) {
        if let error = bytes.withUnsafeBytes({ writeFlushed(raw: $0, to: path, naming: naming) }) { throw error }
    }

    /// ``writeFlushed(_:to:naming:)`` on raw bytes: nil when written, else the error.
    private static func writeFlushed(raw: UnsafeRawBufferPointer, to path: String, naming: String) -> LearningError? {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { return .output(file: naming, message: "cannot write: \(String(cString: strerror(errno)))") }
        var written = 0
        var ok = true
        while written < raw.count {
            let r = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
            if r < 0 && errno == EINTR { continue }
            if r <= 0 {
                if r == 0 { errno = EIO }
                ok = false
                break
            }
            written += r
        }
        if ok { ok = fsync(fd) == 0 }
        var message = ok ? "" : String(cString: strerror(errno))
        if close(fd) != 0 && ok {
            ok = false
            message = String(cString: strerror(errno))
        }
        if !ok {
            unlink(path)
            return .output(file: naming, message: "cannot write: \(message)")
        }
        return nil
    }

    /// Flushes a folder's entries (renames and new files in it) to the disk.
    static func syncFolder(_ path: String) throws(LearningError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw .output(file: path, message: "cannot open the folder: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // Some file systems cannot fsync a folder (EINVAL); their renames are as durable as they get.
        if fsync(fd) != 0 && errno != EINVAL {
            throw .output(file: path, message: "cannot flush the folder: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates `path` and its parents when missing.
    public static func makeFolder(_ path: String) throws(LearningError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .output(file: path, message: "cannot create the folder: \(error.localizedDescription)")
        }
    }
}
