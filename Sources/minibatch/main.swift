import DataParallel
import Foundation
import Learning

/// Runs a subcommand and turns errors into exit codes: 2 for bad usage, config, data or
/// model files; 1 for a failure during training or writing.
func runMinibatch(_ argv: [String]) -> Int32 {
    let args = Array(argv.dropFirst())
    guard let command = args.first else {
        Console.errorRaw(Help.overview + "\n")
        return 2
    }
    let rest = Array(args.dropFirst())
    do {
        if rest.contains("--help") || rest.contains("-h"), let text = Help.text(for: command) {
            try Console.out(text)
            return 0
        }
        switch command {
        case "--help", "-h":
            try Console.out(Help.overview)
            return 0
        case "--version":
            try Console.out("minibatch \(MinibatchVersion.current)")
            return 0
        case "help":
            guard let topic = rest.first else { try Console.out(Help.overview); return 0 }
            guard let text = Help.text(for: topic) else {
                throw UsageError("no help for '\(topic)'" + (Spelling.suggestion(for: topic, among: Help.commands).map { "; did you mean '\($0)'?" }
                                                            ?? "; commands: " + Help.commands.joined(separator: ", ")))
            }
            try Console.out(text)
            return 0
        case "train": return try TrainCommand.run(rest)
        case "evaluate": return try EvaluateCommand.run(rest)
        case "predict": return try PredictCommand.run(rest)
        case "report": return try ReportCommand.run(rest)
        case "bench": return try BenchCommand.run(rest)
        case "search": return try SearchCommand.run(rest)
        case "cv": return try CVCommand.run(rest)
        case "export": return try ExportCommand.run(rest)
        default:
            let known = Help.commands + ["help"]
            throw UsageError("unknown command '\(command)'" + (Spelling.suggestion(for: command, among: known).map { "; did you mean '\($0)'?" }
                                                            ?? "; commands: " + known.joined(separator: ", ")))
        }
    } catch {
        let (line, code) = errorReport(error)
        Console.error(line)
        return code
    }
}

/// The one line and the exit code the command line gives an error: 2 for bad usage, config,
/// data or model files; 1 for a failure during training or writing.
func errorReport(_ error: any Error) -> (line: String, code: Int32) {
    switch error {
    case let e as UsageError: ("minibatch: \(e.description)", 2)
    case let e as LearningError: ("minibatch: \(e.description)", e.isInputError ? 2 : 1)
    case let e as WorkerPoolError: ("minibatch: \(e.description)", 2)
    default: ("minibatch: \(error)", 1)
    }
}

exit(runMinibatch(CommandLine.arguments))
