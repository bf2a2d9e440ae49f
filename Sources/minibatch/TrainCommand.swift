import Foundation
import Learning

/// `minibatch train`: reads the config, applies the flags, trains, prints.
enum TrainCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, command: "train", valued: ["--config", "--workers", "--epochs", "--seed", "--out", "--init-model"],
                              boolean: ["--json", "--quiet"])
        var config = try Config.load(path: try a.required("--config", command: "train"))
        if let w = try a.workers() { config.workers = w }
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
        let quiet = a.flag("--quiet"), json = a.flag("--json")
        let maxEpochs = config.training.epochs
        let summary = try TrainingJob.run(config, initModel: a.string("--init-model")) { r in
            if quiet { return }
            var line = String(format: "epoch %d/%d  loss %.6f  accuracy %.4f  lr %.4g  %.3g samples/s",
                              r.epoch, maxEpochs, r.loss, r.accuracy, r.learningRate, r.samplesPerSecond)
            if let acc = r.validationAccuracy { line += String(format: "  validation accuracy %.4f", acc) }
            if let acc = r.testAccuracy { line += String(format: "  test accuracy %.4f", acc) }
            Console.error(line)
        }
        if json {
            print(summary.jsonValue.jsonText)
        } else {
            let stop: String
            switch summary.stopReason {
            case .converged: stop = "converged (tol)"
            case .timeBudget: stop = "stopped by max_seconds"
            case .earlyStopping: stop = "stopped early on the validation score"
            case .maxEpochs: stop = "reached the epoch limit"
            }
            print("trained \(summary.epochs) epochs, \(stop), in \(String(format: "%.2f", summary.trainSeconds)) s on \(summary.workers) worker\(summary.workers == 1 ? "" : "s")")
            print(String(format: "train: loss %.6f  objective %.6f  accuracy %.4f", summary.trainLoss, summary.objective, summary.trainAccuracy))
            if let l = summary.testLoss, let acc = summary.testAccuracy {
                print(String(format: "test:  loss %.6f  accuracy %.4f", l, acc))
            }
            print("model: \(summary.modelPath)")
        }
        return 0
    }
}

enum Console {
    /// One line on stderr.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
