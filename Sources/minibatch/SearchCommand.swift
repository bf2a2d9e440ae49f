import DataParallel
import Foundation
import Learning
import Synchronization

/// `minibatch search`: cross-validates every candidate of a grid file, ranks them, retrains
/// the best on the whole training split and scores it once on the test set.
enum SearchCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "search", valued: ["--config", "--grid", "--folds", "--workers", "--out", "--save-folds"],
                              boolean: ["--json", "--quiet"])
        let config = try Config.load(path: try a.required("--config", command: "search"))
        for warning in config.unreadSettings() { Console.error("minibatch: warning: " + warning) }
        let gridFile = try a.required("--grid", command: "search")
        let space = try SearchSpace.load(path: gridFile)
        let candidates = try space.candidates(base: config)
        let k = try a.integer("--folds", in: 2...1000, meaning: "use 2 to 1000 folds") ?? 5
        let budget = Searching.budget(try a.workers() ?? config.workers)
        let folder = try Searching.outputFolder(a, config: config)
        try SearchFolder.check(folder, configFile: config.file)
        let options = Searching.Options(folds: k, budget: budget, saveFolds: a.string("--save-folds"), json: a.flag("--json"),
                                        quiet: a.flag("--quiet"))
        let loading = LoadingLine()
        if config.data.isSparse {
            let loaded = try loading.around(quiet: options.quiet) { try LoadedData<SparseDataset>.read(config) }
            return try run(loaded, config: config, candidates: candidates, gridFile: gridFile, folder: folder, options: options)
        }
        let pool = try WorkerPool(workers: budget)
        let loaded = try loading.around(quiet: options.quiet) { try LoadedData<Dataset>.read(config, pool: pool) }
        return try run(loaded, config: config, candidates: candidates, gridFile: gridFile, folder: folder, options: options)
    }

    private static func run<Rows: TrainingRows>(_ loaded: LoadedData<Rows>, config: Config, candidates: [Candidate],
                                                gridFile: String, folder: String, options: Searching.Options) throws -> Int32 {
        let loadStart = Date()
        let search = try Searching.prepare(loaded, config: config, candidates: candidates, options: options)
        try search.checkCandidates(file: gridFile)
        var log = SearchLog(folder: folder)
        let done = try log.read(for: search)
        let split = try search.workerSplit(workers: options.budget, jobs: max(1, search.jobCount - done.count))
        if !options.quiet {
            Console.error("search: \(search.candidates.count) candidates x \(search.folds.count) folds = \(search.jobCount) jobs"
                + (done.isEmpty ? "" : ", \(done.count) done before") + "; \(split) on \(options.budget) worker"
                + (options.budget == 1 ? "" : "s"))
        }
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let progress = SearchProgress(total: search.jobCount, folds: search.folds.count, alreadyDone: done)
        let recorder = Recorder(log: log)
        try AtomicFile.makeFolder(folder)
        TrainCommand.installStopHandlers()
        gracefulStop.store(true, ordering: .relaxed)
        let stop: @Sendable () -> Bool = { stopSignal.load(ordering: .relaxed) != 0 || recorder.failed }
        let result = try progress.clearing {
            try search.run(workers: options.budget, done: done, shouldStop: stop) { score in
                recorder.record(score, of: search)
                if !options.quiet { progress.finished(score) }
            }
        }
        if let error = recorder.error { throw error }
        guard result.isComplete else { return Searching.interrupted(done: result.foldScores.count, of: search.jobCount, folder: folder) }
        guard let best = result.best else {
            throw LearningError.training(message: "every candidate failed to train; the first: "
                + (result.ranking.first?.failure ?? "no score"))
        }
        let bestConfig = search.candidates[best.candidate].config
        try SearchFolder.writeBestConfig(bestConfig, folder: folder)
        let pool = try WorkerPool(workers: options.budget)
        let (fit, prepared) = try search.fitWhole(bestConfig, pool: pool, control: TrainingControl(shouldStop: stop))
        if fit.stopReason == .interrupted {
            return Searching.interrupted(done: result.foldScores.count, of: search.jobCount, folder: folder)
        }
        let summary = try SearchFolder.writeModel(fit, data: prepared, config: bestConfig, folder: folder,
                                                  loadSeconds: loadSeconds, workers: pool.workerCount)
        let name = ((config.file as NSString).lastPathComponent as NSString).deletingPathExtension
        let report = try SearchReport(result: result, test: fit.test, name: name).write(folder: folder)
        if options.json {
            try Console.out(JSONValue.object([
                ("candidates", result.rankingJSON), ("folds", .number(Double(search.folds.count))),
                ("best", .number(Double(best.candidate))), ("best_params", search.candidates[best.candidate].settingsJSON),
                ("train_samples", .number(Double(prepared.train.count))),
                ("test_loss", .numberOrNull(summary.testLoss)), ("test_accuracy", .numberOrNull(summary.testAccuracy)),
                ("model_path", .string(summary.modelPath)), ("report_path", .string(report)),
                ("log_path", .string(log.path)),
            ]).jsonText)
            return 0
        }
        try Console.out(Searching.table(result))
        try Console.out("best: candidate \(best.candidate)" + (search.candidates[best.candidate].settings.isEmpty ? ""
            : " (\(search.candidates[best.candidate].label))") + ", retrained on \(prepared.train.count) rows in "
            + String(format: "%.2f", fit.seconds) + " s")
        if let l = summary.testLoss, let acc = summary.testAccuracy {
            try Console.out(String(format: "test:  loss %.6f  accuracy %.4f", l, acc))
        }
        try Console.out("model: \(summary.modelPath)")
        try Console.out("config: \((folder as NSString).appendingPathComponent(SearchFolder.bestConfigName))")
        try Console.out("report: \(report)")
        return 0
    }

    /// Writes each finished job's line to the log, one call at a time (the search
    /// serialises `onScore`); the first write error stops the search.
    final class Recorder: @unchecked Sendable {
        private var log: SearchLog
        private let failure = Atomic<Bool>(false)
        private(set) var error: LearningError?

        init(log: SearchLog) { self.log = log }

        var failed: Bool { failure.load(ordering: .relaxed) }

        func record<Rows>(_ score: FoldScore, of search: ModelSearch<Rows>) {
            guard error == nil else { return }
            do { try log.append(score, of: search) } catch {
                self.error = error
                failure.store(true, ordering: .relaxed)
            }
        }
    }
}

/// What `search` and `cv` share: the worker budget, the folds, the table.
enum Searching {
    struct Options {
        var folds: Int
        var budget: Int
        var saveFolds: String?
        var json: Bool
        var quiet: Bool
    }

    /// 0 means one worker per active core.
    static func budget(_ workers: Int) -> Int { workers == 0 ? WorkerPool.activeCores : workers }

    /// --out, else runs/<config name>-search.
    static func outputFolder(_ a: Arguments, config: Config) throws -> String {
        if let out = a.string("--out") {
            guard !out.isEmpty else { throw UsageError("--out needs a folder name") }
            return out
        }
        let name = ((config.file as NSString).lastPathComponent as NSString).deletingPathExtension
        return "runs/" + (name.isEmpty ? "run" : name) + "-search"
    }

    /// The search of `candidates` on the folds of `loaded`'s training split; writes the
    /// folds when asked (--save-folds).
    static func prepare<Rows: TrainingRows>(_ loaded: LoadedData<Rows>, config: Config, candidates: [Candidate],
                                            options: Options) throws -> ModelSearch<Rows> {
        let data = try SearchData(loaded, base: config)
        let folds = try Folds.checked(labels: data.train.labels, classCount: data.train.classes.count, count: options.folds,
                                      seed: config.training.seed, source: data.source)
        if let path = options.saveFolds {
            try AtomicFile.write(data.foldsJSON(folds).jsonText + "\n", to: path)
        }
        return ModelSearch(candidates: candidates, data: data, folds: folds)
    }

    /// The message and exit code of a search stopped by a signal.
    static func interrupted(done: Int, of total: Int, folder: String?) -> Int32 {
        let signal = stopSignal.load(ordering: .relaxed)
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        if let folder {
            Console.error("minibatch: interrupted by \(name) with \(done) of \(total) jobs done, kept in "
                + "\((folder as NSString).appendingPathComponent(SearchLog.fileName)); run the same command again to continue")
        } else {
            Console.error("minibatch: interrupted by \(name) with \(done) of \(total) jobs done")
        }
        return 128 + (signal == 0 ? SIGINT : signal)
    }

    /// A value for the table: numbers drawn at random to 4 significant digits, the rest as JSON.
    static func shortText(_ v: JSONValue) -> String {
        if case .number(let d) = v, v.jsonText.count > 8 { return String(format: "%.4g", d) }
        return v.jsonText
    }

    /// The ranking as a text table: rank, the varied values, mean ± sd of accuracy and log
    /// loss over the folds, mean seconds and epochs per fold.
    static func table(_ result: SearchResult) -> String {
        let paths = result.candidates.first?.settings.map(\.path) ?? []
        var rows: [[String]] = [["rank"] + paths + ["accuracy", "log loss", "seconds", "epochs"]]
        for (r, s) in result.ranking.enumerated() {
            var row = ["\(r + 1)"] + result.candidates[s.candidate].settings.map { shortText($0.value) }
            if let a = s.meanAccuracy, let sa = s.sdAccuracy, let l = s.meanLogLoss, let sl = s.sdLogLoss {
                row += [String(format: "%.4f ± %.4f", a, sa), String(format: "%.4f ± %.4f", l, sl)]
            } else {
                row += ["failed", String((s.failure ?? "").prefix(40))]
            }
            row += [String(format: "%.2f", s.meanSeconds), String(format: "%.1f", s.meanEpochs)]
            rows.append(row)
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
        let numeric = Set([0] + (rows[0].count - 4..<rows[0].count))
        return rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return numeric.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
