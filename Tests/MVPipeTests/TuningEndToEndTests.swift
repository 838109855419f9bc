import Foundation
import Testing
import Pipeline

/// Issue 5 through the CLI: burst minutes after a spam run starts, overrides, explain, backtest.
@Suite struct TuningEndToEndTests {
    static let utc = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)

    @Test func burstFiresAtTheFirstRunAfterTheSpamStarts() throws {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        let today = Day("2026-11-25")!
        let calendar = Self.utc
        // Four weeks of history: alice sends 30 a day over office hours; the newsletter 300 at 09:00.
        for offset in 1...28 {
            let day = today.adding(days: -offset)
            guard calendar.isWorkingDay(day) else { continue }
            let alice = (0..<30).map { calendar.date(day, hour: 8 + $0 * 16 / 60, minute: ($0 * 16) % 60)! }
            try archive.add(sender: "alice@example.org", on: day, at: alice)
            try archive.add(sender: "news@example.org", on: day, at: (0..<300).map { calendar.date(day, hour: 9, minute: $0 / 100)! })
        }
        // Today up to 09:55: alice as usual, the newsletter went out at 09:00.
        try archive.add(sender: "alice@example.org", on: today, at: (0..<8).map { calendar.date(today, hour: 8, minute: $0 * 7)! })
        try archive.add(sender: "news@example.org", on: today, at: (0..<300).map { calendar.date(today, hour: 9, minute: $0 / 100)! })
        let config = try ConfigFile.write(ConfigFile.archive(
            root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC",
            extra: ["detectors": [["type": "burst", "window_minutes": 60, "factor": 3, "floor": 50, "days": 10]]]),
            to: dir.file("pipeline.json"))
        let before = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T09:55", "--json"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.lines.isEmpty, "no alert before the burst: \(before.stdout)")

        // 10:00: the stolen password starts sending: 400 in 20 minutes. Cron runs at 10:05.
        let spam = (0..<400).map { calendar.date(today, hour: 10, minute: $0 / 20)! }
        try archive.add(sender: "alice@example.org", on: today, at: Array(spam.prefix(100)))
        let during = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:05", "--json"])
        #expect(during.status == 0, "\(during.stderr)")
        let alerts = try during.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(alerts.map { $0["user"] as? String } == ["alice@example.org"])
        #expect(alerts.first?["detectors"] as? [String] == ["burst"])
        #expect(alerts.first?["messages"] as? Int == 108)
        let verdict = (alerts.first?["verdicts"] as? [[String: Any]])?.first
        #expect((verdict?["reason"] as? String)?.contains("100 in the 60 min up to 10:05") == true)
    }

    @Test func overridesIgnoreAndReplaceDetectors() throws {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        let today = Day("2026-11-25")!
        for user in ["newsletter@example.org", "a@lists.example.org", "invoices@example.org", "bob@example.org"] {
            try archive.add(1000, sender: user, on: today)
        }
        let config = try ConfigFile.write(ConfigFile.archive(
            root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC",
            extra: ["overrides": [
                ["users": ["newsletter@example.org", "*@lists.example.org"], "ignore": true],
                ["users": ["invoices@example.org"], "detectors": [["type": "hard-cap", "limit": 5000]]],
            ]]), to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T16:00", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let users = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .compactMap { $0["user"] as? String }
        #expect(users == ["bob@example.org"])
        // Ignored users are still counted.
        let counts = try CLIRunner.run(["counts", "--config", config, "--day", "2026-11-25", "--json"])
        #expect(counts.stdout.contains("newsletter@example.org"))
        // check reports an override that matches nobody seen lately (the config edited in place: a copy elsewhere
        // would be another config, which the state refuses).
        let typo = try ConfigFile.write(ConfigFile.archive(
            root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC",
            extra: ["overrides": [["users": ["newsleter@example.org"], "ignore": true],
                                  ["users": ["*@lists.example.org"], "ignore": true]]]), to: config)
        let check = try CLIRunner.run(["check", "--config", typo])
        #expect(check.status == 0)
        #expect(check.stdout.contains("newsleter@example.org → ignored (counted, never alerted)\n    warning: matches nobody seen in the last 30 days"))
        #expect(check.stdout.contains("*@lists.example.org → ignored (counted, never alerted) (matches 1 user(s)"))
    }

    @Test func explainShowsTheArithmetic() throws {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        let today = Day("2026-11-25")!
        for offset in 1...14 { try archive.add(20, sender: "alice@example.org", on: today.adding(days: -offset)) }
        try archive.add(250, sender: "alice@example.org", on: today)
        var base = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC")
        base["detectors"] = [["type": "percent-over-average"], ["type": "hard-cap"], ["type": "z-score", "days": 10]]
        let config = try ConfigFile.write(base, to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["explain", "--config", config, "alice@example.org", "--now", "2026-11-25T16:00"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("alice@example.org on 2026-11-25 (wednesday), as of 16:00 UTC"))
        #expect(result.stdout.contains("2026-11-25 today ████████████████████████████████████████ 250"))
        #expect(result.stdout.contains("2026-11-24 tue   ███▎ 20"))
        #expect(result.stdout.contains("[percent-over-average] FIRES: 250 > allowed 100 = max(floor 100, 150% of average 20 over 10 working days)"))
        #expect(result.stdout.contains("[hard-cap] FIRES: 250 > limit 200"))
        #expect(result.stdout.contains("[z-score] FIRES: z = (250 − mean 20) / std dev 1 = 230 > 3"))
        #expect(result.stdout.contains("verdict: ALERT (3 of 3 detectors fire)"))
    }

    /// 60 days of history with planted incidents, stored the way cron stores it (one run per day).
    func plantedHistory() throws -> (TemporaryDirectory, String, Set<String>) {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        let start = Day("2026-09-21")!
        var rng = SplitMix64(seed: 7)
        var planted: Set<String> = []
        let incidents: [Int: (String, Int)] = [17: ("user3@example.org", 400), 25: ("user7@example.org", 260), 44: ("user1@example.org", 900)]
        for offset in 0..<60 {
            let day = start.adding(days: offset)
            for u in 0..<10 {
                let user = "user\(u)@example.org"
                var n = Self.utc.isWorkingDay(day) ? 30 + Int(rng.next() % 20) : Int(rng.next() % 3)
                if let incident = incidents[offset], incident.0 == user {
                    n = incident.1
                    planted.insert("\(day) \(user)")
                }
                if n > 0 { try archive.add(n, sender: user, on: day) }
            }
        }
        let config = try ConfigFile.write(ConfigFile.archive(
            root: dir.file("archive"), state: dir.file("state.sqlite"), notifiers: [["type": "console"]], timezone: "UTC"),
            to: dir.file("a.json"))
        for offset in 0..<60 {
            let day = start.adding(days: offset)
            let run = try CLIRunner.run(["run", "--config", config, "--now", "\(day)T23:50"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        return (dir, config, planted)
    }

    @Test func backtestFindsPlantedIncidentsAndComparesThresholds() throws {
        let (dir, config, planted) = try plantedHistory()
        let stateBefore = try Data(contentsOf: URL(fileURLWithPath: dir.file("state.sqlite")))
        let result = try CLIRunner.run(["backtest", "--config", config, "--from", "2026-10-05", "--to", "2026-11-19", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let hits = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let found = Set(hits.map { "\($0["day"] as! String) \($0["user"] as! String)" })
        #expect(found == planted)

        // A stricter config: 300% and a cap of 500 misses the 260 and 400 incidents.
        var strict = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC")
        strict["detectors"] = [["type": "percent-over-average", "percent": 300, "floor": 450], ["type": "hard-cap", "limit": 500]]
        let other = try ConfigFile.write(strict, to: dir.file("b.json"))
        let diff = try CLIRunner.run(["backtest", "--config", config, "--from", "2026-10-05", "--to", "2026-11-19", "--against", other])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.contains("only \(config) (2):"))
        #expect(diff.stdout.contains("  2026-10-08  user3@example.org  400 messages  [percent-over-average, hard-cap]"))
        #expect(diff.stdout.contains("  2026-10-16  user7@example.org  260 messages  [percent-over-average, hard-cap]"))
        #expect(diff.stdout.contains("only \(other) (0):"))
        #expect(diff.stdout.contains("both: 1"))
        // Backtests change nothing.
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("state.sqlite"))) == stateBefore)
    }
}
