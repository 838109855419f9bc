import Foundation
import Testing
import Pipeline

/// The seed script's job through the real CLI, checked against an independent computation of the rules.
@Suite struct ArchiveEndToEndTests {
    /// An independent reading of the rules: last 10 working days (Mon–Fri minus holidays) before
    /// today, average over all 10, allowed = max(100, 150% of it), or over 200.
    static func expectedAlerts(counts: [String: [String: Int]], today: String, holidays: Set<String>) -> Set<String> {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        var date = formatter.date(from: today)!
        var window: [String] = []
        while window.count < 10 {
            date = calendar.date(byAdding: .day, value: -1, to: date)!
            let weekday = calendar.component(.weekday, from: date) // 1 Sunday, 7 Saturday
            let name = formatter.string(from: date)
            if weekday != 1 && weekday != 7 && !holidays.contains(name) { window.append(name) }
        }
        var alerted: Set<String> = []
        for (user, days) in counts {
            let todayCount = days[today] ?? 0
            guard todayCount > 0 else { continue }
            let total = window.reduce(0) { $0 + (days[$1] ?? 0) }
            let allowed = max(100, total * 150 / 1000)
            if todayCount > allowed || todayCount > 200 { alerted.insert(user) }
        }
        return alerted
    }

    func runScenario(today: String, now: String, holidays: [String]) throws {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        var rng = SplitMix64(seed: 42)
        var counts: [String: [String: Int]] = [:]
        let todayDay = Day(today)!
        var senders = (0..<30).map { "user\($0)@example.org" }
        senders += ["marketing team@example.org", "o'brien@example.org", "$(reboot)@example.org", "back\\slash@example.org"]
        for (index, sender) in senders.enumerated() {
            let usual = Int(rng.next() % 90) + 5
            for offset in 1...24 {
                let day = todayDay.adding(days: -offset)
                let weekend = day.weekday == .sat || day.weekday == .sun
                let n = weekend ? Int(rng.next() % 3) : max(0, usual + Int(rng.next() % 21) - 10)
                if n > 0 {
                    try archive.add(n, sender: sender, on: day)
                    counts[sender, default: [:]][day.description] = n
                }
            }
            // Today: mostly normal, some spikes around the thresholds.
            let todayCount: Int
            switch index % 6 {
            case 0: todayCount = usual * 2 + 50
            case 1: todayCount = 201
            case 2: todayCount = 100
            case 3: todayCount = usual * 3 / 2
            default: todayCount = usual
            }
            try archive.add(todayCount, sender: sender, on: todayDay, extension: index % 2 == 0 ? "gz" : "eml")
            counts[sender, default: [:]][today] = todayCount
        }
        // A new user with no history sending 150 and one sending 90.
        try archive.add(150, sender: "new.hire@example.org", on: todayDay)
        try archive.add(90, sender: "intern@example.org", on: todayDay)
        counts["new.hire@example.org"] = [today: 150]
        counts["intern@example.org"] = [today: 90]
        // Holidays have mail too, but must not count in the window.
        for holiday in holidays {
            try archive.add(5000, sender: "user3@example.org", on: Day(holiday)!)
            counts["user3@example.org", default: [:]][holiday, default: 0] += 5000
        }

        let config = try ConfigFile.write(
            ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC", holidays: holidays),
            to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["run", "--config", config, "--now", now, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let alerts = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let users = Set(alerts.compactMap { $0["user"] as? String })
        let expected = Self.expectedAlerts(counts: counts, today: today, holidays: Set(holidays))
        #expect(users == expected)
        #expect(expected.count >= 8, "scenario should alert several users, got \(expected)")
        #expect(users.contains("new.hire@example.org"))
        #expect(!users.contains("intern@example.org"))
        for alert in alerts {
            #expect(alert["day"] as? String == today)
            #expect((alert["detectors"] as? [String])?.isEmpty == false)
            #expect(alert["average"] is Double || alert["average"] is Int)
            #expect(alert["allowed"] is Int)
            let user = alert["user"] as! String
            #expect(alert["messages"] as? Int == counts[user]?[today])
        }
    }

    @Test func wednesdayWithHolidayInWindow() throws {
        try runScenario(today: "2026-11-25", now: "2026-11-25T16:00", holidays: ["2026-11-19"])
    }

    @Test func mondayWindowReachesBackOverTheWeekend() throws {
        try runScenario(today: "2026-11-23", now: "2026-11-23T09:30", holidays: [])
    }

    @Test func oddFolderNamesAndFileKinds() throws {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        let day = Day("2026-11-25")!
        try archive.add(3, sender: "with space@example.org", on: day)
        try archive.add(4, sender: "quote\"s'@example.org", on: day)
        try archive.add(5, sender: "dollar$HOME@example.org", on: day, extension: "aes")
        try archive.add(6, senderBytes: Array("bad".utf8) + [0xFF, 0xFE] + Array("@example.org".utf8), on: day)
        try archive.add(7, senderBytes: Array("line\nbreak@example.org".utf8), on: day)
        try archive.add(2, sender: "Mixed.Case@Example.org", on: day)
        // Hidden files, a subfolder and a hidden sender folder do not count.
        let base = dir.file("archive/2026/11/25")
        try Data().write(to: URL(fileURLWithPath: base + "/with space@example.org/.hidden"))
        try FileManager.default.createDirectory(atPath: base + "/with space@example.org/sub", withIntermediateDirectories: true)
        try archive.add(9, sender: ".trash", on: day)
        let config = try ConfigFile.write(
            ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC"),
            to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["counts", "--config", config, "--day", "2026-11-25", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        var got: [String: Int] = [:]
        for line in result.lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            got[object["user"] as! String] = object["messages"] as? Int
        }
        #expect(got == [
            "with space@example.org": 3, "quote\"s'@example.org": 4, "dollar$home@example.org": 5,
            "bad\\xff\\xfe@example.org": 6, "line\nbreak@example.org": 7, "mixed.case@example.org": 2,
        ])
        // The text listing shows the newline as \x0a, never as a line break.
        let text = try CLIRunner.run(["counts", "--config", config, "--day", "2026-11-25"])
        #expect(text.stdout.contains("line\\x0abreak@example.org"))
        #expect(!text.stdout.contains("line\nbreak"))
    }

    @Test func folderWithOneHundredThousandFiles() throws {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(100_000, sender: "bulk@example.org", on: Day("2026-11-25")!)
        let config = try ConfigFile.write(
            ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC"),
            to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T12:00", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let alert = try JSONSerialization.jsonObject(with: Data(result.lines.first?.utf8 ?? "{}".utf8)) as! [String: Any]
        #expect(alert["user"] as? String == "bulk@example.org")
        #expect(alert["messages"] as? Int == 100_000)
    }

    @Test func missingArchiveRootIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let config = try ConfigFile.write(
            ConfigFile.archive(root: dir.file("no-such-archive"), state: dir.file("state.sqlite"), timezone: "UTC"),
            to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T12:00"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("no-such-archive does not exist"))
    }

    @Test func completedDaysAreNotScannedAgain() throws {
        let dir = try TemporaryDirectory()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        let today = Day("2026-11-25")!
        for offset in 0..<30 { try archive.add(10, sender: "a@example.org", on: today.adding(days: -offset)) }
        let config = try ConfigFile.write(
            ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC"),
            to: dir.file("pipeline.json"))
        #expect(try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T12:00"]).status == 0)
        // Remove every past day's folder: a second run must not need them (history is final in state)…
        for offset in 1..<30 {
            let d = today.adding(days: -offset)
            try? FileManager.default.removeItem(atPath: dir.file("archive/\(d.description.replacingOccurrences(of: "-", with: "/"))"))
        }
        // …and today grows to 3× the (stored) average of 10 plus the floor: 160 > max(100, 15).
        try archive.add(150, sender: "a@example.org", on: today)
        let second = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T12:05", "--json", "--log-level", "debug"])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let alert = try JSONSerialization.jsonObject(with: Data(second.lines.first?.utf8 ?? "{}".utf8)) as! [String: Any]
        #expect(alert["messages"] as? Int == 160)
        #expect(alert["average"] as? Double == 10 || alert["average"] as? Int == 10)
    }
}

/// A small deterministic random number generator for test data.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
