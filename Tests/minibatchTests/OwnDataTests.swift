import Foundation
import Testing

/// A user's own table, as pandas' `to_csv()` writes it: its index (an unnamed first column),
/// an id, a date, a categorical column and empty cells. Each problem is named in one message,
/// and one config change per problem makes it train; predict then works on new rows with an
/// unseen category and empty cells, and carries the ids through.
@Suite("a user's own table")
struct OwnDataTests {
    /// 200 customers: churn is "yes" on the "basic" plan, and on "pro" under 45 (1 in 20 flipped),
    /// so about half churn and the plan and the age carry the signal; about 1 in 8 ages and 1 in
    /// 12 spends are empty.
    static func customers(rows: Int = 200) -> String {
        var rng = SeededGenerator(state: 17)
        var text = ",customer_id,signup_date,plan,age,spend,churn\n"
        let plans = ["basic", "pro", "enterprise"]
        for i in 0..<rows {
            let plan = plans[i % 3]
            let age = 20 + Int(rng.next() % 50)
            let churn = (plan == "basic" || (plan == "pro" && age < 45)) != (rng.next() % 20 == 0)
            let ageCell = rng.next() % 8 == 0 ? "" : "\(age)"
            let spendCell = rng.next() % 12 == 0 ? "" : String(format: "%.2f", Double(rng.next() % 20000) / 100)
            text += "\(i),C\(1000 + i),2024-\(String(format: "%02d", 1 + i % 12))-\(String(format: "%02d", 1 + i % 28)),"
                + "\(plan),\(ageCell),\(spendCell),\(churn ? "yes" : "no")\n"
        }
        return text
    }

    static let newRows = """
        ,customer_id,signup_date,plan,age,spend
        0,N1,2025-02-01,basic,25,40.5
        1,N2,2025-02-02,platinum,,120
        2,N3,2025-02-03,,61,
        3,N4,2025-02-04,enterprise,30,99

        """

    func config(_ data: String) -> String {
        #"{"data": {"train": "customers.csv", "label": "churn", "# + data + #"}, "output": {"dir": "out"}}"#
    }

    @Test("every column problem in one message; one config change per problem trains; predict carries the ids")
    func firstRunOnOwnTable() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(Self.customers(), to: "customers.csv")
        try box.write(Self.newRows, to: "new.csv")

        // No config at all: every problem named at once, the index recognised as pandas'.
        let first = try box.run(["train", "--data", "customers.csv", "--label", "churn", "--quiet"])
        #expect(first.exitCode == 2, "\(first)")
        #expect(first.stderrLines.count == 1, "\(first)")
        let message = first.stderr
        for part in ["customers.csv:1:", "6 columns", "pandas", #""ignore": [""]"#, "'customer_id'", "'signup_date'",
                     "looks like a date", "'plan'", "data.categorical", "'age'", "data.missing", "'spend'"] {
            #expect(message.contains(part), "missing \(part) in \(message)")
        }
        #expect(!box.exists("out") && !box.exists("runs"))

        // One change per problem, each taking its problems off the message.
        let steps: [(data: String, gone: [String])] = [
            (#""ignore": ["", "customer_id", "signup_date"]"#, ["pandas", "'customer_id'", "'signup_date'"]),
            (#""ignore": ["", "customer_id", "signup_date"], "categorical": ["plan"]"#, ["'plan'"]),
        ]
        for step in steps {
            try box.write(config(step.data), to: "run.json")
            let r = try box.run(["train", "--config", "run.json", "--quiet"])
            #expect(r.exitCode == 2 && r.stderrLines.count == 1, "\(r)")
            for part in step.gone { #expect(!r.stderr.contains(part), "\(part) still in \(r.stderr)") }
            #expect(r.stderr.contains("'age'") && r.stderr.contains("data.missing"), "\(r)")
        }
        try box.write(config(#""ignore": ["", "customer_id", "signup_date"], "categorical": ["plan"], "missing": "median", "missing_indicator": true"#),
                      to: "run.json")
        let trained = try box.run(["train", "--config", "run.json", "--quiet", "--json"])
        #expect(trained.exitCode == 0, "\(trained)")
        #expect(trained.stderr.isEmpty, "\(trained)")
        let summary = try JSONRead.object(trained.stdoutLines.last ?? "")
        // About half churn; the plan and the age explain all but the flipped labels and the empty ages.
        let accuracy = try #require(JSONRead.number(summary["test_accuracy"]))
        #expect(accuracy >= 0.85, "test accuracy \(accuracy)")

        let model = try JSONRead.object(try box.read("out/model.json"))
        let names = try #require(JSONRead.strings(model["feature_names"]))
        #expect(names == ["plan=basic", "plan=enterprise", "plan=pro", "age", "age=missing", "spend", "spend=missing"])
        let preprocessing = try #require(model["preprocessing"] as? [String: Any])
        #expect(JSONRead.strings(preprocessing["ignored"]) == ["", "customer_id", "signup_date"])

        // New rows: an unseen plan, empty cells; the ids come through beside the label
        // (named as the model's label column) and the probabilities.
        let p = try box.run(["predict", "--model", "out/model.json", "--data", "new.csv", "--keep", "customer_id", "--proba"])
        #expect(p.exitCode == 0, "\(p)")
        let rows = csvRows(p.stdout)
        #expect(rows.first == ["customer_id", "churn", "p_no", "p_yes"])
        #expect(rows.dropFirst().map { $0[0] } == ["N1", "N2", "N3", "N4"])
        for row in rows.dropFirst() {
            let pNo = try #require(Double(row[2])), pYes = try #require(Double(row[3]))
            #expect(abs(pNo + pYes - 1) < 1e-5)
            #expect(row[1] == (pYes > pNo ? "yes" : "no"), "\(row)")
        }
        // A customer on the basic plan churns; an enterprise one does not.
        #expect(rows[1][1] == "yes" && rows[4][1] == "no", "\(rows)")
        // evaluate reads the training table (index, id and date included) through the same columns.
        let e = try box.run(["evaluate", "--model", "out/model.json", "--data", "customers.csv", "--json"])
        #expect(e.exitCode == 0, "\(e)")
        #expect((JSONRead.number(try JSONRead.object(e.stdout)["accuracy"]) ?? 0) >= 0.85, "\(e)")
    }

    @Test("categorical \"auto\" and most_frequent: every text column one-hot; a date not ignored is categorical too")
    func automaticCategories() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(Self.customers(rows: 90), to: "customers.csv")
        try box.write(config(#""ignore": ["", "customer_id", "signup_date"], "categorical": "auto", "missing": "most_frequent""#),
                      to: "run.json")
        let r = try box.run(["train", "--config", "run.json", "--quiet"])
        #expect(r.exitCode == 0, "\(r)")
        let model = try JSONRead.object(try box.read("out/model.json"))
        #expect(JSONRead.strings(model["feature_names"]) == ["plan=basic", "plan=enterprise", "plan=pro", "age", "spend"])
    }

    @Test("train --data without a config, and --print-config's output read back as --config, give the same model")
    func trainWithoutConfig() throws {
        let box = try Sandbox()
        defer { box.remove() }
        var csv = "x0,x1,label\n"
        for i in 0..<120 {
            let c = i % 3
            csv += "\(Double(c) * 2 + Double(i % 7) * 0.1),\(Double(c) - Double(i % 5) * 0.1),k\(c)\n"
        }
        try box.write(csv, to: "data.csv")
        let printed = try box.run(["train", "--data", "data.csv", "--print-config"])
        #expect(printed.exitCode == 0, "\(printed)")
        let json = try JSONRead.object(printed.stdout)
        let training = try #require(json["training"] as? [String: Any])
        #expect(training["learning_rate"] as? String == "adaptive" && JSONRead.number(training["eta0"]) == 0.1)
        #expect((json["data"] as? [String: Any])?["train"] as? String == box.path("data.csv"))
        #expect(!box.exists("runs"), "--print-config trains nothing")
        try box.write(printed.stdout, to: "saved.json")

        let a = try box.run(["train", "--data", "data.csv", "--out", "a", "--quiet", "--json"])
        let b = try box.run(["train", "--config", "saved.json", "--out", "b", "--quiet", "--json"])
        #expect(a.exitCode == 0 && b.exitCode == 0, "\(a) \(b)")
        func weights(_ path: String) throws -> [[Double]]? {
            (try JSONRead.object(try box.read(path))["weights"] as? [Any])?.compactMap { JSONRead.doubles($0) }
        }
        let wa = try weights("a/model.json"), wb = try weights("b/model.json")
        #expect(wa != nil && wa?.count == 3 && wa == wb)

        // Without --out the run goes to runs/<data file name>; --model mlp takes adam's defaults.
        let mlp = try box.run(["train", "--data", "data.csv", "--model", "mlp", "--hidden", "8", "--print-config"])
        let mlpTraining = try JSONRead.object(mlp.stdout)["training"] as? [String: Any]
        #expect(mlpTraining?["optimizer"] as? String == "adam" && JSONRead.number(mlpTraining?["eta0"]) == 0.001)
        #expect(mlpTraining?["learning_rate"] as? String == "constant")
        let plain = try box.run(["train", "--data", "data.csv", "--quiet"])
        #expect(plain.exitCode == 0 && box.exists("runs/data/model.json"), "\(plain)")

        // Mistakes: no data, and an unread key warns once.
        let none = try box.run(["train", "--quiet"])
        #expect(none.exitCode == 2 && none.stderr.contains("--config FILE or --data FILE"), "\(none)")
        try box.write(#"{"data": {"train": "data.csv"}, "training": {"learning_rate": "optimal", "eta0": 0.3}, "output": {"dir": "w"}}"#,
                      to: "warn.json")
        let warned = try box.run(["train", "--config", "warn.json", "--quiet"])
        #expect(warned.exitCode == 0, "\(warned)")
        #expect(warned.stderrLines.count == 1 && warned.stderr.contains("warning: training.eta0 = 0.3 is not read"), "\(warned)")
    }
}

/// A small seeded generator for test tables (SplitMix64's steps).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
