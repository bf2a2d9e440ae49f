import Foundation
import Learning

/// The progress of `minibatch search` and `cv` on stderr: jobs done out of the total and the
/// best mean validation log loss so far (over the candidates whose every fold is done).
///
/// On a terminal one line is redrawn in place; otherwise one line per finished job. It is
/// only used from the search's `onScore`, which runs one call at a time, and after the search.
final class SearchProgress: @unchecked Sendable {
    let isTerminal: Bool
    private let total: Int
    private let folds: Int
    private var done: Int
    private var lossSums: [Int: (sum: Double, count: Int, failed: Bool)] = [:]
    private var best: (candidate: Int, loss: Double)?
    private var drawn = false

    init(total: Int, folds: Int, alreadyDone: [FoldScore], isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.folds = folds
        self.isTerminal = isTerminal
        done = 0
        for s in alreadyDone { add(s) }
    }

    private func add(_ s: FoldScore) {
        done += 1
        var entry = lossSums[s.candidate] ?? (0, 0, false)
        if let l = s.logLoss { entry.sum += l } else { entry.failed = true }
        entry.count += 1
        lossSums[s.candidate] = entry
        if entry.count == folds, !entry.failed {
            let mean = entry.sum / Double(folds)
            if best == nil || mean < best!.loss || (mean == best!.loss && s.candidate < best!.candidate) {
                best = (s.candidate, mean)
            }
        }
    }

    private var bestText: String {
        best.map { String(format: "best so far %.6f (candidate %d)", $0.loss, $0.candidate) } ?? "best so far -"
    }

    /// Records a finished job and shows it.
    func finished(_ s: FoldScore) {
        add(s)
        let score = s.logLoss.map { String(format: "log loss %.6f  accuracy %.4f", $0, s.accuracy ?? .nan) }
            ?? "failed: \(s.failure ?? "")"
        if isTerminal {
            write("\r\u{1B}[2K" + "search: \(done)/\(total) jobs  \(bestText)")
            drawn = true
        } else {
            write("job \(done)/\(total)  candidate \(s.candidate) fold \(s.fold)  \(score)  \(bestText)\n")
        }
    }

    /// Runs `body` and clears the live line after it, whether it returns or throws.
    func clearing<T>(_ body: () throws -> T) rethrows -> T {
        defer { clear() }
        return try body()
    }

    /// Clears the live line before other output.
    func clear() {
        if drawn { write("\r\u{1B}[2K") }
        drawn = false
    }

    private func write(_ text: String) { Console.errorRaw(text) }
}
