import Foundation
import Synchronization

/// What a process that a signal ends removes on its way out: the lock file of the output
/// folder it holds, and the run's staging folder and the folders the run created, when they
/// are empty. The paths are prepared in advance as C strings in one buffer, so that the
/// signal handler only reads them and calls unlink and rmdir, which are async-signal-safe.
public enum SignalCleanup {
    private static let capacity = 1 << 16
    /// Set once the buffer holds complete paths; cleared before it changes.
    private static let armed = Atomic<Bool>(false)
    /// The lock file's path, then the folders to remove in order, each ended by a NUL byte,
    /// and one more NUL at the end.
    nonisolated(unsafe) private static let buffer: UnsafeMutablePointer<CChar> = {
        let b = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        b.initialize(repeating: 0, count: capacity)
        return b
    }()

    /// Records what to remove if a signal ends the process (paths too long for the buffer
    /// are left out: nothing is removed then).
    static func prepare(lockFile: String, folders: [String]) {
        armed.store(false, ordering: .sequentiallyConsistent)
        let bytes: [UInt8] = ([lockFile] + folders).flatMap { Array($0.utf8) + [UInt8(0)] } + [UInt8(0)]
        guard bytes.count <= capacity else { return }
        for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
        armed.store(true, ordering: .sequentiallyConsistent)
    }

    /// Nothing to remove any more (the run ended normally).
    public static func clear() {
        armed.store(false, ordering: .sequentiallyConsistent)
    }

    /// For a signal handler that is about to end the process: removes what ``prepare`` named.
    /// Calls only unlink and rmdir.
    public static func runInSignalHandler() {
        guard armed.load(ordering: .sequentiallyConsistent) else { return }
        var p = buffer
        guard p.pointee != 0 else { return }
        unlink(p)
        while p.pointee != 0 { p += 1 }
        p += 1
        while p.pointee != 0 {
            rmdir(p)
            while p.pointee != 0 { p += 1 }
            p += 1
        }
    }
}
