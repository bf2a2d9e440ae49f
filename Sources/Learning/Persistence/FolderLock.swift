import Foundation

/// An advisory lock on a folder: `flock(LOCK_EX | LOCK_NB)` on DIR/.minibatch.lock, which holds
/// the process id of its holder. Only one process at a time writes a run's files into DIR; a
/// second one is refused at once (never made to wait) with the holder's process id.
///
/// The lock file is removed when the lock is released. A process that opened the file just
/// before it was removed would lock a file no longer in the folder, so after locking the
/// descriptor is compared with the path (device and inode) and the lock retried if they differ.
/// The kernel drops the lock when its holder dies, even by SIGKILL: a stale lock file is
/// simply locked again.
final class FolderLock {
    static let fileName = ".minibatch.lock"

    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Locks `folder` (which must exist).
    /// - Parameter busy: the error for a folder another process holds, given that process's id
    ///   as the lock file states it ("unknown" when it has not written it yet).
    static func acquire(folder: String, busy: (String) -> LearningError) throws(LearningError) -> FolderLock {
        let path = (folder as NSString).appendingPathComponent(fileName)
        func failure(_ what: String) -> LearningError {
            .output(file: path, message: "\(what): \(String(cString: strerror(errno)))")
        }
        for _ in 0..<16 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 { throw failure("cannot create the folder's lock file") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let busyNow = errno == EWOULDBLOCK
                let error = busyNow ? busy(holder(fd)) : failure("cannot lock the folder")
                close(fd)
                throw error
            }
            var opened = stat(), named = stat()
            if fstat(fd, &opened) == 0, stat(path, &named) == 0, opened.st_dev == named.st_dev, opened.st_ino == named.st_ino {
                let text = Array("\(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                return FolderLock(path: path, descriptor: fd)
            }
            close(fd)  // removed by its last holder between open and flock: lock the new one
        }
        throw .output(file: path, message: "cannot lock the folder: its lock file keeps being replaced")
    }

    /// The process id written in a lock file, or "unknown".
    private static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return !text.isEmpty && text.allSatisfy(\.isNumber) ? text : "unknown"
    }

    /// Removes the lock file and unlocks (in that order, so that no other process can lock a
    /// file that is about to disappear). Safe to call twice.
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
