import Foundation

/// What minibatch reads (data, config, model, checkpoint, grid and log files) must be a
/// regular file. Anything else is refused before it is opened, saying what it is: opening a
/// FIFO without a writer blocks (until a writer comes, with signals swallowed by the restarted
/// call), and reading /dev/zero never ends. They used to read as "cannot read the file (check
/// its permissions)", or hang.
enum InputFile {
    /// What `path` is when it exists (after symbolic links) and is neither a regular file nor
    /// a folder (folders have their callers' own messages); nil otherwise.
    static func otherKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Throws `error(message)` when `path` exists and is not a regular file or a folder.
    static func checkKind(_ path: String, error: (String) -> LearningError) throws(LearningError) {
        if let kind = otherKind(path) {
            throw error("is \(kind), not a regular file; minibatch reads only regular files")
        }
    }
}
