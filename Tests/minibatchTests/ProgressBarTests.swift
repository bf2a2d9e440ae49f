import Learning
import Testing
@testable import minibatch

@Suite struct ProgressBarTests {
    func progress(done: Int, of total: Int, seconds: Double) -> TrainingProgress {
        TrainingProgress(epoch: 3, epochs: 50, batchesDone: done, batchesInEpoch: total, samplesDone: done * 100,
                         samplesInEpoch: total * 100, seconds: seconds, loss: 0.3121)
    }

    @Test func lineShowsBarBatchesRateTimeLeftAndLoss() {
        // 120 of 480 batches in 6 s: 2000 samples/s, 18 s left.
        // A wide terminal: the bar is 40 wide, a quarter of it filled.
        let line = ProgressBar.render(progress(done: 120, of: 480, seconds: 6), width: 120)
        let bar = "[" + String(repeating: "=", count: 10) + ">" + String(repeating: " ", count: 29) + "]"
        #expect(line == "epoch 3/50 " + bar + " 120/480  2e+03 samples/s  0:18 left  loss 0.312100")
    }

    @Test func barFillsWithTheEpochAndFitsTheWidth() {
        let full = ProgressBar.render(progress(done: 480, of: 480, seconds: 10), width: 90)
        let bar = full[full.firstIndex(of: "[")!...full.firstIndex(of: "]")!]
        #expect(!bar.contains(" ") && !bar.contains(">"))
        #expect(full.count <= 90)
        let empty = ProgressBar.render(progress(done: 0, of: 480, seconds: 0), width: 90)
        #expect(empty.contains("[>") && empty.contains("? left"))
        // A narrow terminal drops the bar, never the figures.
        let narrow = ProgressBar.render(progress(done: 10, of: 480, seconds: 1), width: 60)
        #expect(!narrow.contains("[") && narrow.count <= 60)
    }

    @Test(arguments: [(0.0, "0:00"), (59.2, "1:00"), (61, "1:01"), (3599, "59:59"), (3600, "1:00:00"), (7384, "2:03:04"),
                      (Double.infinity, "?")])
    func durations(seconds: Double, text: String) {
        #expect(ProgressBar.duration(seconds) == text)
    }
}
