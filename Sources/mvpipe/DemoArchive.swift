import Foundation
import Pipeline

/// Generates the demo's ASSP archive: ordinary senders with office-hours habits, and two planted anomalies.
enum DemoArchive {
    static let spamToday = 640
    static let bertToday = 130

    /// Ordinary senders and their usual messages per working day.
    static let senders: [(String, Int)] = [
        ("anna.jansen@example.org", 40), ("bert@example.org", 12), ("finance@example.org", 60),
        ("helpdesk@example.org", 90), ("j.doe@example.org", 25), ("marketing team@example.org", 30),
        ("newsletter@example.org", 150), ("o'brien@example.org", 8), ("sales@example.org", 45),
        ("$ceo@example.org", 15), ("support@example.org", 70),
    ]

    /// Lays out `days` days of archive up to `today`; returns what it made.
    static func layOut(at root: String, today: Day, calendar: WorkCalendar, days: Int = 28) throws -> (senders: Int, days: Int, files: Int) {
        var rng = SplitMix(seed: 20261129)
        var files = 0
        for offset in 0...days {
            let day = today.adding(days: -offset)
            let working = calendar.isWorkingDay(day)
            for (sender, usual) in senders {
                var count: Int
                if offset == 0 && sender == "j.doe@example.org" {
                    count = spamToday
                } else if offset == 0 && sender == "bert@example.org" {
                    count = bertToday
                } else {
                    let base = working ? usual : usual / 10
                    count = max(0, base + Int(rng.next() % UInt64(max(1, base / 5 + 1))) - base / 10)
                }
                files += try write(count, for: sender, on: day, root: root)
            }
            if offset == 0 { files += try write(35, for: "new.hire@example.org", on: day, root: root) }
        }
        return (senders.count + 1, days + 1, files)
    }

    private static func write(_ count: Int, for sender: String, on day: Day, root: String) throws -> Int {
        guard count > 0 else { return 0 }
        let folder = "\(root)/\(day.description.replacingOccurrences(of: "-", with: "/"))/\(sender)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<count {
            let body = "From: \(sender)\r\nSubject: demo \(i)\r\n\r\nhello\r\n"
            try Data(body.utf8).write(to: URL(fileURLWithPath: "\(folder)/msg\(i).eml"))
        }
        return count
    }
}

/// A small deterministic random number generator (SplitMix64).
struct SplitMix {
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
