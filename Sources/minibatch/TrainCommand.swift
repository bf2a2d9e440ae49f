import DataParallel
import Foundation
import Learning
import Synchronization

/// The signal that asked training to stop (SIGINT or SIGTERM), 0 while none has.
let stopSignal = Atomic<Int32>(0)
/// True while the work in progress asks ``stopSignal`` after every step and stops there
/// (train's training loop; a search's or cv's jobs): a signal then stops it gracefully.
/// Otherwise the first signal ends the process at once.
let gracefulStop = Atomic<Bool>(false)
/// True for a rank of an MPI job: a signal after the first is ignored while the stop is under
/// way. A Ctrl-C reaches every rank twice (from the terminal to the process group, and
/// forwarded by mpirun), and the second must not end rank 0 before it writes the checkpoint;
/// the launcher itself kills the ranks when they take too long (mpirun: after
/// odls_base_sigkill_timeout seconds).
let signalRepeatsIgnored = Atomic<Bool>(false)

/// Whether stderr is a terminal (where progress lines are drawn), read once at start-up.
let stderrIsTerminal = isatty(STDERR_FILENO) == 1

/// `minibatch train`: reads the config (or a checkpoint), applies the flags, trains, prints.
enum TrainCommand {
    static func run(_ args: [String]) throws -> Int32 {
        try RankedRun.run { rank in try train(args, rank: rank) }
    }

    /// Trains alone (`rank` nil) or as one rank of an MPI job.
    static func train(_ args: [String], rank: Rank?) throws -> Int32 {
        let a = try Arguments(args, command: "train",
                              valued: ["--config", "--workers", "--epochs", "--seed", "--out", "--init-model",
                                       "--checkpoint-every", "--resume", "--data", "--test", "--label", "--model",
                                       "--hidden"],
                              boolean: ["--json", "--quiet", "--print-config", "--export-onnx"])
        var config: Config
        var resume: Checkpoint? = nil
        var initModel = a.string("--init-model")
        if let dir = a.string("--resume") {
            for flag in ["--config", "--epochs", "--seed", "--out", "--init-model", "--data", "--test", "--label", "--model",
                         "--hidden"] where a.string(flag) != nil {
                throw UsageError("\(flag) cannot be combined with --resume: the checkpoint fixes the config, data and output folder")
            }
            guard !dir.isEmpty else { throw UsageError("--resume needs the run's folder") }
            let checkpoint = try Checkpoint.read(folder: dir)
            config = checkpoint.config
            initModel = checkpoint.initModel
            resume = checkpoint
        } else {
            let settings = try commandLineSettings(a)
            let path = a.string("--config")
            if path == nil && settings.train == nil {
                throw UsageError("'train' needs --config FILE or --data FILE (see 'minibatch help train')")
            }
            if path?.isEmpty == true { throw UsageError("--config needs a file name") }
            config = try Config.load(path: path, settings: settings)
            if let e = try a.integer("--epochs", in: 1...100_000_000, meaning: "use a positive number of epochs") {
                config.training.epochs = e
            }
            if let s = try a.integer("--seed", in: 0...Int(Config.maxSeed), meaning: "use an integer from 0 to 2^53") {
                config.training.seed = UInt64(s)
            }
            if let out = a.string("--out") {
                guard !out.isEmpty else { throw UsageError("--out needs a folder name") }
                config.outputDir = out
            }
        }
        if let w = try a.workers() { config.workers = w }
        // The flags changed a config that was checked when it was read.
        try config.validate()
        if a.flag("--print-config") {
            try Console.out(absolutePaths(config).jsonValue.prettyText())
            return 0
        }
        if rank?.isFirst ?? true {
            for warning in config.unreadSettings() { Console.error("minibatch: warning: " + warning) }
        }
        let every = try a.integer("--checkpoint-every", in: 1...100_000_000, meaning: "use a positive number of epochs")
        // Only rank 0 of an MPI job prints.
        if let rank, !rank.isFirst { return try trainQuietly(config, initModel: initModel, every: every, resume: resume, rank: rank) }
        let quiet = a.flag("--quiet"), json = a.flag("--json")
        let maxEpochs = config.training.epochs
        let bar = ProgressBar()
        installStopHandlers()
        var control = JobControl(
            checkpointEvery: every, resume: resume, shouldStop: { stopSignal.load(ordering: .relaxed) != 0 },
            onProgress: quiet || !bar.isTerminal ? nil : { bar.update($0) })
        control.onStage = { gracefulStop.store($0 == .training, ordering: .relaxed) }
        if let rank {
            rank.configure(&control)
            let workers = config.workers == 0 ? WorkerPool.activeCores : config.workers
            let line = "MPI job: \(rank.group.size) rank\(rank.group.size == 1 ? "" : "s") x \(workers) worker\(workers == 1 ? "" : "s") per rank"
            Console.error(line)  // before the epoch lines, on the same stream
        }
        let onEpoch = { (r: EpochReport) in
            if quiet { return }
            var line = String(format: "epoch %d/%d  loss %.6f  accuracy %.4f  lr %.4g  %.3g samples/s",
                              r.epoch, maxEpochs, r.loss, r.accuracy, r.learningRate, r.samplesPerSecond)
            if let z = r.zeroFraction { line += String(format: "  zero weights %.3f", z) }
            if let acc = r.validationAccuracy { line += String(format: "  validation accuracy %.4f", acc) }
            if let acc = r.testAccuracy { line += String(format: "  test accuracy %.4f", acc) }
            bar.finishEpoch(line)
        }
        // On a terminal: a line while the data loads, then the bar; either is cleared before
        // an error message.
        let jobControl = control
        let summary = try bar.clearing {
            try LoadingLine().around(quiet: quiet) {
                try TrainingJob.run(config, initModel: initModel, control: jobControl, onEpoch: onEpoch)
            }
        }
        if summary.stopReason == .interrupted, let path = summary.checkpointPath {
            let signal = stopSignal.load(ordering: .relaxed)
            let folder = (path as NSString).deletingLastPathComponent
            Console.error("minibatch: interrupted by \(signal == SIGTERM ? "SIGTERM" : "SIGINT") after \(summary.epochs) "
                + "full epoch\(summary.epochs == 1 ? "" : "s"); checkpoint written to \(path); "
                + "resume with: minibatch train --resume \(folder)")
            return 128 + (signal == 0 ? SIGINT : signal)
        }
        var onnxPath: String? = nil
        if a.flag("--export-onnx") {
            let path = ((summary.modelPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("model.onnx")
            try SavedModel.read(path: summary.modelPath).writeONNX(to: path, modelFile: summary.modelPath)
            onnxPath = path
        }
        if json {
            try Console.out(summary.jsonValue.jsonText)
        } else {
            let stop: String
            switch summary.stopReason {
            case .converged: stop = "converged (tol)"
            case .timeBudget: stop = "stopped by max_seconds"
            case .earlyStopping: stop = "stopped early on the validation score"
            case .maxEpochs, .interrupted: stop = "reached the epoch limit"
            }
            try Console.out("trained \(summary.epochs) epochs, \(stop), in \(String(format: "%.2f", summary.trainSeconds)) s on \(summary.workers) worker\(summary.workers == 1 ? "" : "s")")
            try Console.out(String(format: "train: loss %.6f  objective %.6f  accuracy %.4f", summary.trainLoss, summary.objective, summary.trainAccuracy))
            if let z = summary.zeroFraction { try Console.out(String(format: "weights: %.1f%% exactly zero", 100 * z)) }
            if let l = summary.testLoss, let acc = summary.testAccuracy {
                try Console.out(String(format: "test:  loss %.6f  accuracy %.4f", l, acc))
            }
            try Console.out("model: \(summary.modelPath)")
            if let onnxPath { try Console.out("onnx: \(onnxPath)") }
            try Console.out("report: \(((summary.modelPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(TrainingReport.fileName))")
        }
        return 0
    }

    /// A rank of an MPI job other than 0: trains in lock step with rank 0, prints nothing,
    /// writes nothing.
    static func trainQuietly(_ config: Config, initModel: String?, every: Int?, resume: Checkpoint?, rank: Rank) throws -> Int32 {
        installStopHandlers()
        var control = JobControl(checkpointEvery: every, resume: resume,
                                 shouldStop: { stopSignal.load(ordering: .relaxed) != 0 })
        control.onStage = { gracefulStop.store($0 == .training, ordering: .relaxed) }
        rank.configure(&control)
        let summary = try TrainingJob.run(config, initModel: initModel, control: control)
        if summary.stopReason == .interrupted {
            let signal = stopSignal.load(ordering: .relaxed)
            return 128 + (signal == 0 ? SIGINT : signal)
        }
        return 0
    }

    /// The config settings given as flags: --data, --test, --label, --model, --hidden.
    static func commandLineSettings(_ a: Arguments) throws(UsageError) -> CommandLineSettings {
        var s = CommandLineSettings()
        for (flag, what) in [("--data", "a training file"), ("--test", "a test file"), ("--label", "a column name")]
        where a.string(flag)?.isEmpty == true {
            throw UsageError("\(flag) needs \(what)")
        }
        s.train = a.string("--data")
        s.test = a.string("--test")
        s.label = a.string("--label")
        if let text = a.string("--model") {
            guard let type = ModelType(rawValue: text) else {
                throw UsageError("--model \(text) is not known; use softmax, logistic, mlp or auto")
            }
            s.modelType = type
        }
        if let text = a.string("--hidden") {
            let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ $0 != nil }) else {
                throw UsageError("--hidden \(text) is not a list of layer sizes; use e.g. --hidden 64,32")
            }
            s.hidden = sizes.map { $0! }
            if s.modelType == nil { s.modelType = .mlp }
        }
        return s
    }

    /// The config with its file paths absolute, so that --print-config's output works as a
    /// config file wherever it is saved.
    static func absolutePaths(_ config: Config) -> Config {
        let folder = FileManager.default.currentDirectoryPath
        func absolute(_ p: String?) -> String? {
            guard let p, !p.hasPrefix("/") else { return p }
            return ((folder as NSString).appendingPathComponent(p) as NSString).standardizingPath
        }
        var c = config
        c.data.train = absolute(c.data.train)
        c.data.test = absolute(c.data.test)
        c.data.trainLabels = absolute(c.data.trainLabels)
        c.data.testLabels = absolute(c.data.testLabels)
        c.data.trainWeights = absolute(c.data.trainWeights)
        c.outputDir = absolute(c.outputDir ?? TrainingJob.outputFolder(c))
        return c
    }

    /// SIGINT and SIGTERM during the training loop ask it to stop after the current step (it
    /// then writes a checkpoint); a second signal ends the process at once. At any other
    /// moment (reading the data, opening a file, writing the outputs) the first signal ends
    /// the process at once: the run's files are committed as one unit (``RunOutput``), so that
    /// leaves the previous set or the new one, and the next run removes what is left over.
    static func installStopHandlers() {
        // A parent may start us with these signals blocked (the mask survives exec).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        SignalCleanup.clear()  // initialises its statics now, not in the handler
        for s in [SIGINT, SIGTERM] {
            signal(s) { sig in
                if signalRepeatsIgnored.load(ordering: .relaxed), stopSignal.load(ordering: .relaxed) != 0 { return }
                if !gracefulStop.load(ordering: .relaxed) { endAtOnce(sig) }
                let (exchanged, _) = stopSignal.compareExchange(expected: 0, desired: sig, ordering: .relaxed)
                if !exchanged {
                    endAtOnce(sig)
                    _exit(128 + sig)
                }
            }
        }
    }
}

/// Ends the process from the handler: no half-drawn progress line left behind (the
/// bytes are "\r", ESC "[2K"), the run's lock file and empty folders removed; only
/// async-signal-safe calls (write, unlink, rmdir, _exit).
func endAtOnce(_ sig: Int32) -> Never {
    if stderrIsTerminal {
        let clearLine: (UInt8, UInt8, UInt8, UInt8, UInt8) = (13, 27, 91, 50, 75)
        withUnsafeBytes(of: clearLine) { _ = write(STDERR_FILENO, $0.baseAddress, 5) }
    }
    SignalCleanup.runInSignalHandler()
    _exit(128 + sig)
}
