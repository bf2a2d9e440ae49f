import Foundation
import Learning

/// "loading data/big.csv: 192.0 of 512.3 MB" on stderr while a large data file is read
/// (terminals only, as the progress bar; files under `minimumBytes` show nothing). The line
/// is redrawn in place at most 10 times a second and ends as "... read, parsing", which the
/// next progress line (the training bar, a search's job count) or ``clear()`` replaces.
final class LoadingLine: @unchecked Sendable {
    // @unchecked: the readers call `show` on the one thread that reads the file, and
    // `clear` runs after them on the same thread.
    let isTerminal: Bool
    let minimumBytes: Int
    private var lastDraw = 0.0
    private var drawn = false

    init(isTerminal: Bool = stderrIsTerminal, minimumBytes: Int = 16 << 20) {
        self.isTerminal = isTerminal
        self.minimumBytes = minimumBytes
    }

    /// Runs `body` with this line as the file-reading observer (when on a terminal and not
    /// `quiet`), and clears the line afterwards if nothing has replaced it.
    func around<T>(quiet: Bool = false, _ body: () throws -> T) rethrows -> T {
        guard isTerminal, !quiet else { return try body() }
        defer { clear() }
        return try FileReading.$onProgress.withValue({ [self] in show($0) }) { try body() }
    }

    func show(_ p: FileReadProgress) {
        guard p.totalBytes >= minimumBytes else { return }
        let now = Date().timeIntervalSinceReferenceDate
        if now - lastDraw < 0.1 && p.bytesRead < p.totalBytes { return }
        lastDraw = now
        Console.errorRaw("\r\u{1B}[2K" + Self.render(p))
        drawn = true
    }

    /// Erases the line if it is the last thing drawn.
    func clear() {
        if drawn { Console.errorRaw("\r\u{1B}[2K") }
        drawn = false
    }

    /// "loading FILE: R of T MB", or "loading FILE: T MB read, parsing" at the end (MB = 10^6 bytes).
    static func render(_ p: FileReadProgress) -> String {
        func mb(_ n: Int) -> String { String(format: "%.1f", Double(n) / 1e6) }
        if p.bytesRead >= p.totalBytes { return "loading \(p.file): \(mb(p.totalBytes)) MB read, parsing" }
        return "loading \(p.file): \(mb(p.bytesRead)) of \(mb(p.totalBytes)) MB"
    }
}
