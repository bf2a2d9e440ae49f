import Foundation

/// Writes files so that a reader, or a crash at any moment, sees the old file or the new
/// one and never half of one: the bytes go to a temporary file in the same folder, are
/// flushed, and the temporary file is renamed over the target.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws(LearningError) {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// Writes `bytes` as the whole of `path`, atomically.
    public static func write(bytes: [UInt8], to path: String) throws(LearningError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw .output(file: path, message: "cannot write: \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let r = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if r <= 0 { return false }
                written += r
            }
            return fsync(fd) == 0
        }
        let message = String(cString: strerror(errno))
        close(fd)
        if !ok {
            unlink(temp)
            throw .output(file: path, message: "cannot write: \(message)")
        }
        if rename(temp, path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(temp)
            throw .output(file: path, message: "cannot replace the file: \(message)")
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
