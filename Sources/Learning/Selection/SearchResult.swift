/// What a search found: every candidate's figures over the folds, and their ranking.
public struct SearchResult: Sendable, Equatable {
    public var candidates: [Candidate]
    /// One per candidate, in candidate order; nil for a candidate with a fold not yet run
    /// (an interrupted search).
    public var scores: [CandidateScore?]
    public var folds: Folds
    /// Every (candidate, fold) score found, in job order (candidate, then fold).
    public var foldScores: [FoldScore]

    /// Gathers scores of (candidate, fold) jobs, in any order.
    public init(candidates: [Candidate], folds: Folds, foldScores: [FoldScore]) {
        self.candidates = candidates
        self.folds = folds
        let k = folds.count
        var byJob = [FoldScore?](repeating: nil, count: candidates.count * k)
        for s in foldScores { byJob[s.candidate * k + s.fold] = s }
        self.foldScores = byJob.compactMap { $0 }
        scores = candidates.indices.map { c in
            let mine = byJob[(c * k)..<(c * k + k)]
            return mine.allSatisfy { $0 != nil } ? CandidateScore(candidate: c, folds: mine.map { $0! }) : nil
        }
    }

    /// Whether every candidate has a score for every fold.
    public var isComplete: Bool { scores.allSatisfy { $0 != nil } }

    /// The scored candidates, best first (see ``CandidateScore/ranksBefore(_:)``).
    public var ranking: [CandidateScore] { scores.compactMap { $0 }.sorted { $0.ranksBefore($1) } }

    /// The best candidate that trained on every fold, or nil.
    public var best: CandidateScore? { ranking.first.flatMap { $0.failure == nil ? $0 : nil } }
}

extension SearchResult {
    /// The ranking as JSON: one object per scored candidate, best first, with its rank,
    /// index, settings, mean and sd of accuracy and log loss (null for a failed candidate),
    /// mean seconds and epochs, and the failure's message.
    public var rankingJSON: JSONValue {
        .array(ranking.enumerated().map { r, s in
            .object([
                ("rank", .number(Double(r + 1))), ("candidate", .number(Double(s.candidate))),
                ("params", candidates[s.candidate].settingsJSON),
                ("mean_accuracy", .numberOrNull(s.meanAccuracy)), ("sd_accuracy", .numberOrNull(s.sdAccuracy)),
                ("mean_log_loss", .numberOrNull(s.meanLogLoss)), ("sd_log_loss", .numberOrNull(s.sdLogLoss)),
                ("mean_seconds", .number(s.meanSeconds)), ("mean_epochs", .number(s.meanEpochs)),
                ("failure", s.failure.map { .string($0) } ?? .null),
            ])
        })
    }
}
