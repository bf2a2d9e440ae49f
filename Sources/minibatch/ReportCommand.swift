import Foundation
import Learning

/// `minibatch report DIR`: rebuilds DIR/report.html from DIR/model.json and DIR/metrics.jsonl.
enum ReportCommand {
    static func run(_ args: [String]) throws -> Int32 {
        var folder: String? = nil
        for arg in args {
            if arg.hasPrefix("-") && arg != "-" {
                throw UsageError("unknown option '\(arg)' for 'report' (see 'minibatch help report')")
            }
            guard folder == nil else {
                throw UsageError("unexpected argument '\(arg)' for 'report': it takes one folder (see 'minibatch help report')")
            }
            folder = arg
        }
        guard let folder, !folder.isEmpty else {
            throw UsageError("'report' needs the folder of a training run: minibatch report DIR (see 'minibatch help report')")
        }
        try Console.out(try TrainingReport.write(folder: folder))
        return 0
    }
}
