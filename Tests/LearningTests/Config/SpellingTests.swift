import Testing
@testable import Learning

@Suite struct SpellingTests {
    func distance(_ a: String, _ b: String) -> Int { Spelling.distance(Array(a), Array(b)) }

    @Test func distanceCountsEditsAndNeighbourSwaps() {
        #expect(distance("", "abc") == 3)
        #expect(distance("train", "train") == 0)
        #expect(distance("trian", "train") == 1)    // one swap of neighbours
        #expect(distance("alfa", "alpha") == 2)     // f -> p, insert h
        #expect(distance("kitten", "sitting") == 3) // k -> s, e -> i, insert g
        #expect(distance("ca", "abc") == 3)         // optimal string alignment: no edit of a swapped pair
        #expect(distance("--epoch", "--epochs") == 1)
    }

    @Test func suggestsOnlyWhatIsNear() {
        let commands = ["train", "evaluate", "predict", "export", "report", "bench", "search", "cv", "help"]
        #expect(Spelling.suggestion(for: "trian", among: commands) == "train")
        #expect(Spelling.suggestion(for: "Train", among: commands) == "train")
        #expect(Spelling.suggestion(for: "evalute", among: commands) == "evaluate")
        #expect(Spelling.suggestion(for: "exprot", among: commands) == "export")
        #expect(Spelling.suggestion(for: "fit", among: commands) == nil)
        #expect(Spelling.suggestion(for: "cx", among: commands) == "cv")
        #expect(Spelling.suggestion(for: "xy", among: commands) == nil)
        #expect(Spelling.suggestion(for: "train", among: commands) == nil)  // not misspelled
        // The nearest wins; among equals, the first listed.
        #expect(Spelling.suggestion(for: "seed", among: ["speed", "seeds"]) == "speed")
        #expect(Spelling.didYouMean("alfa", among: ["alpha", "eta0"], quote: "\"") == "; did you mean \"alpha\"?")
        #expect(Spelling.didYouMean("zzz", among: ["alpha"]) == "")
    }
}
