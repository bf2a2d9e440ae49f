/// How far the reading of one data file has got, for a progress line.
public struct FileReadProgress: Sendable, Equatable {
    public let file: String
    public let bytesRead: Int
    public let totalBytes: Int

    public init(file: String, bytesRead: Int, totalBytes: Int) {
        self.file = file
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
    }
}

/// An observer of data files as they are read, set for a stretch of code (task-local, so it
/// reaches the readers deep inside a training job without being passed down):
///
///     FileReading.$onProgress.withValue({ p in show(p) }) { try TrainingJob.run(...) }
///
/// While one is set, a regular file is read in steps of ``progressStep`` bytes (each step
/// still in parallel pieces) and the observer is called on the reading thread after each
/// step, the last call with bytesRead == totalBytes. Without one, a file is read in one go.
public enum FileReading {
    @TaskLocal public static var onProgress: (@Sendable (FileReadProgress) -> Void)? = nil

    /// Bytes read between two calls of the observer.
    public static let progressStep = 64 << 20
}
