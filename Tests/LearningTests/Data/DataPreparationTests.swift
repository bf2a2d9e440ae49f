import Foundation
import Testing
@testable import Learning

@Suite struct StandardizerTests {
    @Test func zScoresWithPopulationStdAndUnitScaleForConstants() {
        // Column 0: 1, 2, 3, 6 -> mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
        // Column 1: constant 5 -> scale 1.
        var x: [Float] = [1, 5, 2, 5, 3, 5, 6, 5]
        let s = Standardizer(fitting: x, featureCount: 2)
        #expect(s.mean == [3, 5])
        #expect(abs(s.scale[0] - Float(3.5.squareRoot())) < 1e-6 && s.scale[1] == 1)
        s.transform(&x)
        #expect(abs(x[0] - Float(-2 / 3.5.squareRoot())) < 1e-6)
        #expect(x[1] == 0 && x[3] == 0)
    }
}

@Suite struct SplittingTests {
    @Test func stratifiedSplitKeepsClassSharesAndIsSeeded() {
        let labels: [Int32] = (0..<100).map { $0 < 70 ? 0 : ($0 < 90 ? 1 : 2) }
        let a = Splitting.stratified(labels: labels, classCount: 3, testFraction: 0.2, seed: 1)
        // round(70 * 0.2) = 14, round(20 * 0.2) = 4, round(10 * 0.2) = 2.
        #expect(a.test.filter { labels[$0] == 0 }.count == 14)
        #expect(a.test.filter { labels[$0] == 1 }.count == 4)
        #expect(a.test.filter { labels[$0] == 2 }.count == 2)
        #expect(Set(a.train).isDisjoint(with: a.test) && a.train.count + a.test.count == 100)
        #expect(Splitting.stratified(labels: labels, classCount: 3, testFraction: 0.2, seed: 1) == a)
        #expect(Splitting.stratified(labels: labels, classCount: 3, testFraction: 0.2, seed: 2).test != a.test)
    }

    @Test func aClassKeepsATrainingRow() {
        let s = Splitting.stratified(labels: [0, 0, 0, 1], classCount: 2, testFraction: 0.9, seed: 0)
        #expect(s.train.contains(3))
    }
}

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // SplitMix64 with seed 0 starts 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4 (Vigna's reference code).
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func boundedIntegersAreInRangeAndCoverIt() {
        var g = SplitMix64(seed: 5)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let v = g.nextInt(below: 7)
            #expect(v >= 0 && v < 7)
            seen.insert(v)
        }
        #expect(seen.count == 7)
    }

    @Test func shuffleIsAPermutationFixedBySeed() {
        var a = Array(0..<50), b = Array(0..<50)
        var g1 = SplitMix64(seed: 3), g2 = SplitMix64(seed: 3)
        g1.shuffle(&a)
        g2.shuffle(&b)
        #expect(a == b && a.sorted() == Array(0..<50) && a != Array(0..<50))
    }
}

@Suite struct SyntheticDataTests {
    @Test func shapeLabelsAndSeed() {
        var spec = SyntheticSpec()
        spec.samples = 30
        spec.features = 4
        spec.classes = 3
        let t = SyntheticData.generate(spec)
        #expect(t.count == 30 && t.features.count == 120 && t.featureNames == ["x0", "x1", "x2", "x3"])
        #expect(t.distinctLabels == ["0", "1", "2"])
        #expect(SyntheticData.generate(spec).features == t.features)
        spec.seed = 1
        #expect(SyntheticData.generate(spec).features != t.features)
    }
}

@Suite struct PreparedDataTests {
    @Test func oneClassIsAnError() {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var c = Config()
        c.data.train = dir.write("one.csv", "a,label\n1,x\n2,x\n")
        #expect {
            try PreparedData.load(c)
        } throws: { e in
            guard case .data(_, _, let message) = e as? LearningError else { return false }
            return message.contains("only one class")
        }
    }

    /// The message of the data error `PreparedData.load(c)` throws, and the file it names.
    func dataError(_ c: Config) -> (file: String, message: String)? {
        do { _ = try PreparedData.load(c); return nil } catch {
            if case .data(let file, nil, let message) = error { return (file, message) }
            return nil
        }
    }

    @Test func allFeaturesConstantIsAnErrorNamingTheFile() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var c = Config()
        c.data.testFraction = 0
        // Every column constant, with standardisation on and off.
        c.data.train = dir.write("flat.csv", "a,b,label\n1,-2,x\n1,-2,y\n1,-2,x\n1,-2,y\n")
        for standardize in [true, false] {
            c.data.standardize = standardize
            let e = try #require(dataError(c))
            #expect(e.file == c.data.train && e.message.contains("constant") && e.message.contains("4 training rows"), "\(e)")
        }
        // One column that varies, in the last row only: no error.
        c.data.train = dir.write("one.csv", "a,b,label\n1,-2,x\n1,-2,y\n1,-2,x\n1,-3,y\n")
        #expect(dataError(c) == nil)
        // A test file that varies does not help: the training split decides.
        c.data.train = dir.write("flat2.csv", "a,b,label\n1,-2,x\n1,-2,y\n")
        c.data.test = dir.write("test.csv", "a,b,label\n1,-2,x\n5,6,y\n")
        #expect(try #require(dataError(c)).message.contains("2 training rows"))
        // A column that varies only in a row of the held-out test split: the training split
        // is constant. The split is the seeded stratified one that load makes.
        c.data.test = nil
        c.data.testFraction = 0.2
        let labels: [Int32] = (0..<10).map { Int32($0 % 2) }
        let split = Splitting.stratified(labels: labels, classCount: 2, testFraction: 0.2, seed: c.training.seed)
        func file(varyingRow: Int) -> String {
            dir.write("split.csv", "a,label\n" + (0..<10).map { "\($0 == varyingRow ? 1 : 0),\($0 % 2 == 0 ? "x" : "y")\n" }.joined())
        }
        c.data.train = file(varyingRow: split.test[0])
        #expect(try #require(dataError(c)).message.contains("all 8 training rows"))
        c.data.train = file(varyingRow: split.train[0])
        #expect(dataError(c) == nil)
    }

    @Test func scalerIsFittedOnTheTrainingSplitOnly() throws {
        var c = Config()
        c.data.train = Repo.path("data/iris.csv")
        let p = try PreparedData.load(c)
        #expect(p.train.count == 120 && p.test?.count == 30)
        // Training columns have mean ~0 after standardisation; the test split's need not.
        let d = 4
        for j in 0..<d {
            let m = stride(from: j, to: p.train.features.count, by: d).reduce(0.0) { $0 + Double(p.train.features[$1]) } / 120
            #expect(abs(m) < 1e-5)
        }
        #expect(try p.modelKind(.auto, configFile: "c") == .softmax)
        #expect(p.validation == nil)
        // With early stopping, round(40 * 0.1) = 4 of each class's 40 training rows are held out.
        c.training.earlyStopping = true
        let v = try PreparedData.load(c)
        #expect(v.train.count == 108 && v.validation?.count == 12 && v.test?.count == 30)
        #expect(v.validation!.classCounts == [4, 4, 4])
        #expect(throws: LearningError.self) { try p.modelKind(.logistic, configFile: "c") }
    }
}
