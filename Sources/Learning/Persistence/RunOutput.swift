import Foundation

/// The output folder of one training run, held from before the data is read until the run
/// ends: the one place that writes a run's files (model.json, metrics.jsonl, report.html and
/// the checkpoint), so that the folder always holds one run's complete set of files, never a
/// mix of two runs, after any failure, full disk, kill or concurrent run.
///
/// How:
/// - **Lock.** ``open(folder:file:runID:)`` takes DIR's ``FolderLock``; a second run into
///   the same folder is refused at once (an input error naming the folder and the other
///   process's id).
/// - **Staging.** The finished run's files are written, and flushed, into
///   DIR/.staging-RUNID, a folder of their own inside DIR (made when first needed).
/// - **Signals.** A signal that ends the process removes the lock file and the empty folders
///   the run made (``SignalCleanup``).
/// - **Commit.** ``commit(_:removing:)`` then writes the journal DIR/.minibatch.commit
///   (atomically: the commit point), renames the staged files into DIR in the journal's order
///   (model.json last), removes the previous run's files this run does not replace (its
///   checkpoint), and removes the journal.
/// - **Recovery.** The next run into DIR (and `minibatch report DIR`) first finishes a
///   journal it finds (the renames are repeatable), then removes staging folders and
///   temporary files that killed runs left behind. So a kill before the journal leaves the
///   previous set; a kill after it, the new set.
/// - **Run id.** Every file of a run carries the same run id (model.json's
///   `training.run_id`, every metrics.jsonl line's `run_id`, the checkpoint's `run_id`, a
///   `<meta>` of report.html), so a reader can check that they belong together
///   (``TrainingReport/load(folder:)`` does).
/// - **Failure.** ``abandon()`` undoes what a failed run wrote: the staging folder, the
///   checkpoints it wrote (the previous checkpoint comes back), and the folders it created.
public final class RunOutput {
    public let folder: String
    /// Shared by every file of the run; a resumed run keeps its checkpoint's.
    public let runID: String
    private let lock: FolderLock
    /// The folders this run created (DIR and missing parents), deepest first.
    private let createdFolders: [String]
    private let staging: String
    /// Whether this run has written DIR/checkpoint, and whether it kept the one before.
    private var wroteCheckpoint = false
    private var keptPreviousCheckpoint = false
    /// A resumed run: DIR/checkpoint is this run's own (its run id), kept at the commit.
    private let resumed: Bool
    private var finished = false

    static let journalName = ".minibatch.commit"
    static let stagingPrefix = ".staging-"
    static let previousCheckpointName = "checkpoint.previous"

    private init(folder: String, runID: String, resumed: Bool, lock: FolderLock, createdFolders: [String]) {
        self.folder = folder
        self.runID = runID
        self.resumed = resumed
        self.lock = lock
        self.createdFolders = createdFolders
        staging = (folder as NSString).appendingPathComponent(Self.stagingPrefix + runID)
    }

    /// A new run id: 16 random hexadecimal digits.
    public static func newRunID() -> String {
        let v = UInt64.random(in: 0...UInt64.max)
        let hex = String(v, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// True for text that ``newRunID()`` could have made.
    public static func isRunID(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Creates `folder` when missing, locks it, and recovers what a killed run left in it.
    /// - Parameters:
    ///   - file: the config (or checkpoint) that named the folder, for the busy error.
    ///   - runID: the id of the run a checkpoint resumes (its checkpoint stays at the commit);
    ///     a new one when nil.
    public static func open(folder: String, file: String, runID: String? = nil) throws(LearningError) -> RunOutput {
        var missing: [String] = []
        var path = folder
        while !FileManager.default.fileExists(atPath: path) {
            missing.append(path)
            guard let parent = folderPart(of: path), parent != path else { break }
            path = parent
        }
        try AtomicFile.makeFolder(folder)
        let lock: FolderLock
        do {
            lock = try FolderLock.acquire(folder: folder) { pid in
                .config(file: file, key: "output.dir",
                        message: "'\(folder)' is in use by another minibatch run (process \(pid)); "
                            + "wait for it to end or choose another output folder")
            }
        } catch {
            for f in missing { rmdir(f) }
            throw error
        }
        let output = RunOutput(folder: folder, runID: runID ?? newRunID(), resumed: runID != nil, lock: lock,
                               createdFolders: missing)
        SignalCleanup.prepare(lockFile: lock.path, folders: [output.staging] + missing)
        do {
            try recover(folder: folder)
        } catch {
            output.abandon()
            throw error
        }
        return output
    }

    /// Writes a checkpoint of this run to DIR/checkpoint (atomically). The first time, the
    /// checkpoint that was there before the run is kept (hard-linked into the staging folder)
    /// so that ``abandon()`` can put it back.
    public func writeCheckpoint(_ checkpoint: Checkpoint) throws(LearningError) {
        let path = Checkpoint.path(in: folder)
        if !wroteCheckpoint && FileManager.default.fileExists(atPath: path) {
            try AtomicFile.makeFolder(staging)
            let kept = (staging as NSString).appendingPathComponent(Self.previousCheckpointName)
            unlink(kept)
            if link(path, kept) != 0 {
                throw .output(file: path, message: "cannot keep the previous checkpoint: \(String(cString: strerror(errno)))")
            }
            keptPreviousCheckpoint = true
        }
        wroteCheckpoint = true
        var checkpoint = checkpoint
        checkpoint.runID = runID
        try checkpoint.write(folder: folder)
    }

    /// Commits the run's files: each (name, text) is written into the staging folder, then
    /// the journal, then the renames into DIR in the order given (put model.json last), then
    /// the removal of `removing` (names in DIR that the previous run wrote and this one
    /// replaces by nothing); the journal goes last.
    public func commit(_ files: [(name: String, text: String)]) throws(LearningError) {
        try AtomicFile.makeFolder(staging)
        for f in files {
            try AtomicFile.writeFlushed(f.text, to: (staging as NSString).appendingPathComponent(f.name),
                                        naming: (folder as NSString).appendingPathComponent(f.name))
        }
        try AtomicFile.syncFolder(staging)
        // Without a checkpoint of its own (written or resumed from), the run leaves none of an
        // earlier run beside its files.
        let removing = wroteCheckpoint || resumed ? [] : [Checkpoint.fileName]
        let journal = JSONValue.object([
            ("run_id", .string(runID)),
            ("staging", .string((staging as NSString).lastPathComponent)),
            ("rename", .array(files.map { .string($0.name) })),
            ("remove", .array(removing.map { .string($0) })),
        ])
        try AtomicFile.write(journal.jsonText + "\n", to: (folder as NSString).appendingPathComponent(Self.journalName))
        // The commit point: from here on the new set is the folder's, and a failure below
        // leaves the journal for the next run (or `report`) to finish.
        finished = true
        try AtomicFile.syncFolder(folder)
        try Self.finishJournal(folder: folder)
    }

    /// Ends a run that succeeded or was interrupted: removes the staging folder and unlocks.
    public func close() {
        if !finished { removeTree(staging) }
        finished = true
        SignalCleanup.clear()
        lock.release()
    }

    /// Ends a run that failed: nothing it wrote stays. Its checkpoints are removed (the one
    /// before the run is put back), the staging folder too, and the folders the run created
    /// when they are empty.
    public func abandon() {
        if !finished {
            let path = Checkpoint.path(in: folder)
            if keptPreviousCheckpoint {
                rename((staging as NSString).appendingPathComponent(Self.previousCheckpointName), path)
            } else if wroteCheckpoint {
                unlink(path)
            }
            removeTree(staging)
            finished = true
        }
        SignalCleanup.clear()
        lock.release()
        for f in createdFolders { rmdir(f) }
    }

    // MARK: - Recovery

    /// Finishes a commit a killed run left (its journal), then removes staging folders and
    /// temporary files of killed runs. Call with DIR locked.
    static func recover(folder: String) throws(LearningError) {
        try finishJournal(folder: folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasPrefix(stagingPrefix) || AtomicFile.isTemporaryName(name) {
            removeTree((folder as NSString).appendingPathComponent(name))
        }
    }

    /// Carries out DIR's journal, if any: renames what is still staged, removes what it
    /// lists, and removes the journal. Repeatable: a rename already done is skipped.
    static func finishJournal(folder: String) throws(LearningError) {
        let path = (folder as NSString).appendingPathComponent(journalName)
        guard let bytes = FileManager.default.contents(atPath: path) else { return }
        guard let json = try? JSONParser.parse([UInt8](bytes)), case .string(let stagingName)? = json["staging"],
              stagingName.hasPrefix(stagingPrefix), !stagingName.contains("/"),
              case .array(let renames)? = json["rename"], case .array(let removes)? = json["remove"]
        else {
            throw .output(file: path, message: "the journal of an interrupted commit is damaged; "
                              + "remove it and the folder's .staging-* folders, then train again")
        }
        let staged = (folder as NSString).appendingPathComponent(stagingName)
        for case .string(let name) in renames where !name.contains("/") {
            let from = (staged as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: from) else { continue }
            if Foundation.rename(from, (folder as NSString).appendingPathComponent(name)) != 0 {
                throw .output(file: (folder as NSString).appendingPathComponent(name),
                              message: "cannot move the file into place: \(String(cString: strerror(errno)))")
            }
        }
        for case .string(let name) in removes where !name.contains("/") {
            unlink((folder as NSString).appendingPathComponent(name))
        }
        try AtomicFile.syncFolder(folder)
        unlink(path)
        removeTree(staged)
    }
}

/// Removes a file or a folder with everything in it; a missing path is fine.
func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
