import Foundation
import Learning

/// The live progress line of `minibatch train` on a terminal.
///
/// On a terminal, stderr shows one line that is redrawn in place (at most 10 times a second)
/// with the epoch's bar, batches, samples/s, time left and running loss; at the end of each
/// epoch it is replaced by the epoch's summary line, so one line per epoch remains. When
/// stderr is not a terminal only the summary lines are written.
final class ProgressBar {
    let isTerminal: Bool
    private let width: Int
    private var lastDraw = 0.0
    private var drawn = false

    init(isTerminal: Bool = isatty(STDERR_FILENO) == 1, width: Int? = nil) {
        self.isTerminal = isTerminal
        self.width = width ?? Self.terminalWidth()
    }

    /// Redraws the live line (terminals only), throttled to 10 Hz; the last batch is always drawn.
    func update(_ p: TrainingProgress) {
        guard isTerminal else { return }
        let now = Date().timeIntervalSinceReferenceDate
        if now - lastDraw < 0.1 && p.batchesDone < p.batchesInEpoch { return }
        lastDraw = now
        write("\r\u{1B}[2K" + Self.render(p, width: width))
        drawn = true
    }

    /// Replaces the live line with the epoch's summary line.
    func finishEpoch(_ line: String) {
        write((drawn ? "\r\u{1B}[2K" : "") + line + "\n")
        drawn = false
    }

    /// Clears the live line (before other messages, such as an error).
    func clear() {
        if drawn { write("\r\u{1B}[2K") }
        drawn = false
    }

    /// Runs `body`, clearing the live line first if it throws, so that the error message
    /// that follows starts on a clean line instead of after a half-drawn bar.
    func clearing<T>(_ body: () throws -> T) rethrows -> T {
        do { return try body() } catch {
            clear()
            throw error
        }
    }

    private func write(_ text: String) {
        Console.errorRaw(text)
    }

    /// One progress line of at most `width` characters:
    /// `epoch 3/50 [=======>      ] 120/469  2.1e+05 samples/s  0:03 left  loss 0.312100`.
    static func render(_ p: TrainingProgress, width: Int) -> String {
        let head = "epoch \(p.epoch)/\(p.epochs) "
        // Fixed-width fields, so the bar keeps its length while the figures change.
        let total = String(p.batchesInEpoch)
        let done = String(p.batchesDone)
        let left = duration(p.secondsLeft)
        let tail = " " + String(repeating: " ", count: max(0, total.count - done.count)) + done + "/" + total
            + String(format: "  %9.3g samples/s  ", p.samplesPerSecond)
            + String(repeating: " ", count: max(0, 5 - left.count)) + left + String(format: " left  loss %.6f", p.loss)
        let barWidth = min(40, width - head.count - tail.count - 2)
        guard barWidth >= 5 else { return String((head + tail).prefix(max(width, 1))) }
        let fraction = p.batchesInEpoch > 0 ? Double(p.batchesDone) / Double(p.batchesInEpoch) : 0
        let filled = min(barWidth, Int((fraction * Double(barWidth)).rounded(.down)))
        var bar = String(repeating: "=", count: filled)
        if filled < barWidth { bar += ">" + String(repeating: " ", count: barWidth - filled - 1) }
        return head + "[" + bar + "]" + tail
    }

    /// m:ss, or h:mm:ss from an hour on; "?" when unknown.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded(.up))
        if s >= 3600 { return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) }
        return String(format: "%d:%02d", s / 60, s % 60)
    }

    /// Columns of the terminal on stderr (80 when unknown).
    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
