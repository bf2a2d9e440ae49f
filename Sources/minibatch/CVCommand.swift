import DataParallel
import Foundation
import Learning

/// `minibatch cv`: k-fold cross-validation of one config; writes nothing (but --save-folds).
enum CVCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "cv", valued: ["--config", "--folds", "--workers", "--save-folds"],
                              boolean: ["--json", "--quiet"])
        let config = try Config.load(path: try a.required("--config", command: "cv"))
        for warning in config.unreadSettings() { Console.error("minibatch: warning: " + warning) }
        let k = try a.integer("--folds", in: 2...1000, meaning: "use 2 to 1000 folds") ?? 5
        let options = Searching.Options(folds: k, budget: Searching.budget(try a.workers() ?? config.workers),
                                        saveFolds: a.string("--save-folds"), json: a.flag("--json"), quiet: a.flag("--quiet"))
        let loading = LoadingLine()
        if config.data.isSparse {
            return try run(loading.around(quiet: options.quiet) { try LoadedData<SparseDataset>.read(config) }, config: config,
                           options: options)
        }
        let pool = try WorkerPool(workers: options.budget)
        return try run(loading.around(quiet: options.quiet) { try LoadedData<Dataset>.read(config, pool: pool) }, config: config,
                       options: options)
    }

    private static func run<Rows: TrainingRows>(_ loaded: LoadedData<Rows>, config: Config, options: Searching.Options)
        throws -> Int32
    {
        let only = Candidate(index: 0, settings: [], config: config)
        let search = try Searching.prepare(loaded, config: config, candidates: [only], options: options)
        try search.checkCandidates(file: config.file)
        let progress = SearchProgress(total: search.jobCount, folds: search.folds.count, alreadyDone: [])
        TrainCommand.installStopHandlers()
        gracefulStop.store(true, ordering: .relaxed)
        let result = try progress.clearing {
            try search.run(workers: options.budget, shouldStop: { stopSignal.load(ordering: .relaxed) != 0 }) { s in
                if !options.quiet { progress.finished(s) }
            }
        }
        guard result.isComplete, let score = result.scores[0] else {
            return Searching.interrupted(done: result.foldScores.count, of: search.jobCount, folder: nil)
        }
        if options.json {
            try Console.out(JSONValue.object([
                ("folds", .array(score.folds.map { f in
                    .object([("fold", .number(Double(f.fold))), ("accuracy", .numberOrNull(f.accuracy)),
                             ("log_loss", .numberOrNull(f.logLoss)), ("seconds", .number(f.seconds)),
                             ("epochs", .number(Double(f.epochs))), ("failure", f.failure.map { .string($0) } ?? .null)])
                })),
                ("mean_accuracy", .numberOrNull(score.meanAccuracy)), ("sd_accuracy", .numberOrNull(score.sdAccuracy)),
                ("mean_log_loss", .numberOrNull(score.meanLogLoss)), ("sd_log_loss", .numberOrNull(score.sdLogLoss)),
                ("mean_seconds", .number(score.meanSeconds)), ("mean_epochs", .number(score.meanEpochs)),
                ("train_samples", .number(Double(search.data.train.count))),
            ]).jsonText)
        } else {
            for f in score.folds {
                let figures = f.logLoss.map { String(format: "log loss %.6f  accuracy %.4f", $0, f.accuracy ?? .nan) }
                    ?? "failed: \(f.failure ?? "")"
                try Console.out("fold \(f.fold + 1)/\(search.folds.count)  \(figures)  \(f.epochs) epochs  "
                    + String(format: "%.2f s", f.seconds))
            }
            if let l = score.meanLogLoss, let sl = score.sdLogLoss, let acc = score.meanAccuracy, let sa = score.sdAccuracy {
                try Console.out(String(format: "mean: log loss %.6f ± %.6f  accuracy %.4f ± %.4f", l, sl, acc, sa)
                    + " over \(search.folds.count) folds of \(search.data.train.count) training rows")
            } else {
                try Console.out("failed: \(score.failure ?? "")")
                return 1
            }
        }
        return score.failure == nil ? 0 : 1
    }
}
