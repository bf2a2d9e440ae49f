/// The help texts of `minibatch --help` and `minibatch help COMMAND`.
enum Help {
    static let overview = """
    minibatch: train softmax, logistic-regression and neural-network classifiers by
    data-parallel mini-batch SGD.

    Usage: minibatch COMMAND [OPTIONS]
           minibatch --version

    Commands:
      train      Train a model from a JSON config file.
      evaluate   Accuracy, log loss and confusion matrix of a model on labelled data.
      predict    Predicted labels or class probabilities, as CSV on stdout.
      export     Write a model as an ONNX file, for ONNX Runtime and other tools.
      report     Rebuild a run's report.html from its model.json and metrics.jsonl.
      bench      Training speed on a synthetic workload at 1...N workers.
      search     Grid or random search over config values by k-fold cross-validation.
      cv         k-fold cross-validation of one config.
      help       Show help for a command: minibatch help train

    Exit codes: 0 success; 2 bad usage, config, data, model file or checkpoint; 1 training
    or writing failure; 130 and 143 a run stopped by SIGINT or SIGTERM (with a checkpoint).
    """

    static let train = """
    Usage: minibatch train --config FILE [--workers N] [--epochs N] [--seed N] [--out DIR]
                           [--init-model FILE] [--checkpoint-every N] [--export-onnx]
                           [--json] [--quiet]
           minibatch train --data FILE [--label COL] [--test FILE] [--model TYPE]
                           [--hidden 64,32] [--out DIR] [--print-config] ...
           minibatch train --resume DIR [--workers N] [--checkpoint-every N] [--json] [--quiet]

    Trains the model a config file describes, or with --data and no config every setting at
    its default, and writes DIR/model.json, DIR/metrics.jsonl and DIR/report.html.
    Flags override the config's values.

      --config FILE   JSON config (keys in docs/config.md); relative paths in it are resolved
                      against its folder.
      --data FILE     training data (data.train); relative to the current folder.
      --label COL     the label column (data.label; default "label").
      --test FILE     test data (data.test); default: hold out data.test_fraction.
      --model TYPE    softmax, logistic, mlp or auto (model.type); its training defaults
                      follow (an mlp trains with adam at 0.001).
      --hidden SIZES  an mlp's hidden layer sizes, comma-separated (model.hidden).
      --print-config  print the full resolved config (every key) as JSON and stop; save
                      it and pass it back with --config.
      --workers N     worker threads; 0 uses every active core (config key "workers").
      --epochs N      the most epochs (training.epochs).
      --seed N        seed of the shuffles, the test split and a network's initial
                      weights (training.seed).
      --out DIR       output folder (output.dir; default runs/<config name>).
      --init-model FILE  continue training this model.json on the config's data (warm
                      start): its classes, feature names and scaler are kept.
      --checkpoint-every N  write DIR/checkpoint every N epochs (atomically).
      --resume DIR    continue the run whose checkpoint is in DIR (its config, data and
                      state); it ends with the same model as a run never interrupted.
      --export-onnx   also write DIR/model.onnx (see 'minibatch help export').
      --json          print the final summary as one JSON object on the last line of stdout.
      --quiet         no progress bar or per-epoch lines on stderr.

    On a terminal a live progress bar shows the epoch's batches, samples/s, time left and
    running loss, and leaves one line per epoch. Ctrl-C (SIGINT) or SIGTERM finishes the
    current step, writes DIR/checkpoint, prints how to resume and exits 130 (143 for
    SIGTERM); a second signal stops at once.

    Several machines: a build with `swift build --traits MPI` started by mpirun or srun
    trains as the job's ranks, with the bits of one process (--workers is per rank; rank 0
    prints and writes). See docs/mpi.md.
    """

    static let evaluate = """
    Usage: minibatch evaluate --model FILE --data FILE [--labels FILE] [--format F] [--workers N] [--json]
           minibatch evaluate --config FILE [--model FILE] [--workers N] [--json]

    Scores a model on a labelled CSV file (the model's feature columns plus its label column):
    accuracy, log loss, the confusion matrix (rows: true labels, columns: predictions), and
    precision, recall and F1 per class with their macro and weighted averages.
    Labels the model never saw count as errors and are left out of the log loss.

      --model FILE    a model.json written by 'minibatch train' (with --config, default:
                      the model the config's run wrote, in its output.dir).
      --data FILE     CSV with a header row, a .npy feature array, or LIBSVM text
                      (.svm, .libsvm, .svmlight; kept sparse, linear models only).
      --config FILE   evaluate on the config's test data instead: its data.test file, or
                      the rows its training held out (data.test_fraction, training.seed),
                      which the model never trained on.
      --labels FILE   the labels of a .npy --data file, as a 1-D .npy array.
      --format F      csv, npy, libsvm, or auto (the default: by the file's extension).
      --workers N     threads that score the rows; 0 (the default) uses every active core.
                      The figures are the same for any N.
      --json          print the result as one JSON object.
    """

    static let predict = """
    Usage: minibatch predict --model FILE --data FILE [--format F] [--proba] [--keep COL,...]
                             [--workers N]

    Writes one CSV row per input row to stdout: the predicted label (in a column named as
    the model's label column), and with --proba one probability column per class
    ("p_<class>") after it. A label column in the input is ignored. Every row is scored and
    checked before anything is written (an error leaves stdout empty); the rows are then
    formatted in parallel and written in chunks, in input order.

      --model FILE    a model.json written by 'minibatch train'.
      --data FILE     CSV with a header row holding the model's feature columns, a
                      .npy feature array with the model's number of columns, or LIBSVM
                      text (.svm, .libsvm, .svmlight) whose indices do not exceed the
                      model's feature count (linear models only).
      --format F      csv, npy, libsvm, or auto (the default: by the file's extension).
      --proba         also print the class probabilities.
      --keep COLS     copy these CSV columns (an id, say) into the output before the
                      prediction, comma-separated.
      --workers N     threads that score and format the rows; 0 (the default) uses every
                      active core. The output is byte for byte the same for any N.
    """

    static let export = """
    Usage: minibatch export --model FILE --out FILE [--format onnx]

    Writes the model as an ONNX file (IR version 8, opset 17; ONNX Runtime 1.13 or later)
    that computes what 'minibatch predict' does, standardisation and filled empty cells
    included (one-hot columns are not supported yet). Input "features": float [N, d], the
    columns in the order of the file's metadata "input_columns", an empty cell as NaN.
    Outputs "label": [N], the most probable class
    (int64 when every class is an integer, else string), and "probabilities": float [N, K],
    one column per class in the order of the metadata "classes". See docs/onnx.md.

      --model FILE    a model.json written by 'minibatch train'.
      --out FILE      the ONNX file to write (atomically); its folder must exist.
      --format onnx   the export format (the only one, and the default).
    """

    static let report = """
    Usage: minibatch report DIR

    Rebuilds DIR/report.html, the page 'minibatch train' writes next to its model: loss and
    accuracy per epoch (training, validation, test), the confusion matrix as a heat map with
    per-class precision, recall and F1, the data set's shape and class counts, timings and
    the config. It is one self-contained HTML file (inline CSS and SVG, nothing fetched).
    It reads only DIR/model.json and DIR/metrics.jsonl, and prints the report's path.

      DIR             the output folder of a training run (output.dir or --out).
    """

    static let bench = """
    Usage: minibatch bench [--workload W1|W2|W3] [--samples N] [--features D] [--classes K]
                           [--batch-size B] [--hidden H1,H2,...] [--epochs E] [--workers N]
                           [--dispatch D] [--bandwidth-mb M] [--json]

    Generates a synthetic softmax workload in memory (standardised Gaussian blobs) and trains
    it for E epochs (default 5) with constant rate 0.1 and l2 alpha 1e-4, once for every
    worker count from 1 to N (default: all cores). Prints the median ms per epoch (the first
    epoch left out), samples/s, achieved GFLOP/s (4 n d K per epoch), the fraction of the
    machine's peak at that thread count (an FMA loop on every thread at once, measured at
    start-up for 1...N threads), the roofline bound max(FLOPs / peak, bytes / bandwidth) with
    the read bandwidth measured at start-up (a streaming sum over a buffer far larger than
    the caches, 1...N threads) and bytes = 4nd + 8n + 8P per epoch, the fraction of the
    bound reached and which ceiling sets it, the speed-up over one worker, and whether every
    worker count gave bitwise identical weights. See docs/benchmarks.md.

      --workload W    W1: n 60,000, d 784, K 10, batch 256 (default);
                      W2: n 500,000, d 54, K 7, batch 128;
                      W3: the W1 data with an MLP 784-128-10 (ReLU), batch 128.
      --samples, --features, --classes, --batch-size   override the workload's shape.
      --hidden H1,H2  make it an MLP with these ReLU hidden layers.
      --epochs E      epochs per worker count.
      --workers N     the largest worker count; 0 means all cores.
      --dispatch D    team (default: long-lived helper threads) or per-call (one
                      concurrentPerform per parallel call), to compare the two.
      --bandwidth-mb M  the bandwidth buffer in MB (default: 8 x the last-level cache,
                      256 to 1024 MB, at most a quarter of the available memory).
      --json          one JSON object with every figure.

    minibatch bench --combine [--parameters P --shards S] [--steps N] [--workers N]
    times one step's combine of the shard gradients (W1's 7,850 and W3's 101,770 floats, or
    P floats in S shards): alone, or across the ranks when mpirun starts it in a build with
    the MPI trait. Prints rank 0's median and 90th percentile and the bytes it received.

    minibatch bench --load FILE [--workers N] [--repeat R] [--json]
    times reading and parsing the LIBSVM file FILE as training loads it (in parallel on N
    workers, default all cores), R times (default 3); prints the median and MB/s.
    """

    static let search = """
    Usage: minibatch search --config FILE --grid GRID.json [--folds K] [--workers N] [--out DIR]
                            [--save-folds FILE] [--json] [--quiet]

    Tries config values by stratified, seeded k-fold cross-validation on the training split
    (the test split is never used for choosing), ranks the candidates by mean validation log
    loss, retrains the best on the whole training split and scores it once on the test set.
    Every candidate is built and checked before anything trains.

      --config FILE   the base config; its data.test_fraction and training.seed cut the
                      test split and seed the folds.
      --grid GRID.json  config paths to lists, {"training.alpha": [1e-5, 1e-4]} (every
                      combination), or random search: {"n_candidates": 20, "seed": 0,
                      "params": {"training.alpha": {"loguniform": [1e-6, 1e-2]}}}; with
                      "uniform", "loguniform" and "integers" distributions [lo, hi].
      --folds K       folds (default 5).
      --workers N     the worker budget; 0 uses every active core (config key "workers").
                      Jobs run at once, one worker each when there are many; a few large
                      jobs share the workers.
      --out DIR       output folder (default runs/<config name>-search): DIR/search.jsonl,
                      DIR/best-config.json, DIR/model.json and DIR/report.html.
      --save-folds FILE  write the training split's rows and their folds as JSON.
      --json          print the ranking and the test figures as one JSON object.
      --quiet         no progress lines on stderr.

    Each finished (candidate, fold) job is added to DIR/search.jsonl at once (atomically).
    Ctrl-C (SIGINT) or SIGTERM stops the search with those kept and exits 130 (143);
    running the same command again skips them and ends with the same ranking.
    """

    static let cv = """
    Usage: minibatch cv --config FILE [--folds K] [--workers N] [--save-folds FILE] [--json]
                        [--quiet]

    Cross-validates one config: stratified, seeded k folds of the training split (the test
    split is left out), each fold's scaler fitted on its training rows. Prints each fold's
    validation log loss and accuracy, and their mean and standard deviation. Writes nothing
    but --save-folds.

      --config FILE   the config; its data.test_fraction and training.seed cut the test
                      split and seed the folds.
      --folds K       folds (default 5).
      --workers N     the worker budget, shared by the folds; 0 uses every active core.
      --save-folds FILE  write the training split's rows and their folds as JSON.
      --json          print every figure as one JSON object.
      --quiet         no progress lines on stderr.
    """

    /// The commands, in the overview's order.
    static let commands = ["train", "evaluate", "predict", "export", "report", "bench", "search", "cv"]

    static func text(for command: String) -> String? {
        switch command {
        case "train": return train
        case "evaluate": return evaluate
        case "predict": return predict
        case "export": return export
        case "report": return report
        case "bench": return bench
        case "search": return search
        case "cv": return cv
        case "help": return overview
        default: return nil
        }
    }
}
