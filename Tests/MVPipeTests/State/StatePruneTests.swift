import Foundation
import GRDB
import Testing
import Pipeline
import SQLiteStore

/// `mvpipe state prune --keep-days N`: old history goes, alerts still retried and checkpoints stay.
@Suite struct StatePruneTests {
    /// Wednesday; the default detector window (10 working days before it) starts on 2026-11-11.
    static let today = Day("2026-11-25")!

    struct Setup {
        let dir: TemporaryDirectory
        let path: String
        let config: String

        init(pendingDays: Int = 30, holidays: [String] = []) throws {
            dir = try TemporaryDirectory()
            path = dir.file("state.sqlite")
            try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: true)
            config = try ConfigFile.write(ConfigFile.archive(
                root: dir.file("archive"), state: path, notifiers: [["type": "console", "name": "mail"]],
                timezone: "UTC", holidays: holidays, extra: ["pending_days": pendingDays]), to: dir.file("pipeline.json"))
            _ = try SQLiteStateStore(path: path)
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                for offset in 0..<60 {
                    let day = StatePruneTests.today.adding(days: -offset)
                    try db.execute(sql: "INSERT INTO volume VALUES ('archive', ?, 'alice', 20, NULL), ('archive', ?, 'bob', 5, 2)",
                                   arguments: [day.description, day.description])
                    try db.execute(sql: "INSERT INTO source_day VALUES ('archive', ?, 1, 1764072000)", arguments: [day.description])
                    let start = Int64(day.dayNumber) * 86_400
                    try db.execute(sql: "INSERT INTO bucket VALUES ('maillog', 'alice', ?, 3), ('maillog', 'alice', ?, 4)",
                                   arguments: [start, start + 86_100])
                }
                try db.execute(sql: "INSERT INTO source_checkpoint VALUES ('maillog', x'0102', 1764000000)")
                // id, days ago, delivered, superseded
                let alerts: [(Int, Int, Bool, Bool)] = [
                    (1, 40, true, false),   // delivered long ago: goes
                    (2, 40, false, true),   // superseded long ago: goes
                    (3, 40, false, false),  // undelivered, past a 30-day retry window: goes (expired)
                    (4, 20, false, false),  // undelivered, within the retry window: stays
                    (5, 20, true, false),   // delivered, older than the cut-off: goes
                    (6, 5, true, false),    // recent: stays
                ]
                for (id, ago, delivered, superseded) in alerts {
                    let day = StatePruneTests.today.adding(days: -ago)
                    let alert = Alert(id: Int64(id), user: "alice", day: day, messages: 300, average: 20, allowed: 100,
                                      verdicts: [], history: [], raisedAt: Date(timeIntervalSince1970: 1_764_000_000))
                    let payload = String(decoding: try JSONEncoder().encode(alert), as: UTF8.self)
                    try db.execute(sql: "INSERT INTO alert VALUES (?, ?, 'alice', 300, 1, ?, 1764000000)", arguments: [id, day.description, payload])
                    try db.execute(sql: "INSERT INTO delivery VALUES (?, 'mail', ?, ?, 1, NULL)",
                                   arguments: [id, delivered ? 1_764_000_100.0 : nil, superseded ? 1 : 0])
                }
            }
            try queue.close()
        }

        func prune(_ arguments: [String]) throws -> CLIRunner.Result {
            try CLIRunner.run(["state", "prune", "--config", config, "--now", "2026-11-25T10:00"] + arguments)
        }

        func values<T: DatabaseValueConvertible>(_ sql: String) throws -> [T] {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.read { db in try T.fetchAll(db, sql: sql) }
        }
    }

    @Test func removesOldHistoryAndSettledAlertsKeepsRetriedAlertsAndCheckpoints() throws {
        let s = try Setup()
        let result = try s.prune(["--keep-days", "14"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.lines.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "pruned \(s.path): removed everything before 2026-11-11:")
        #expect(lines.contains("90 volume rows (daily counts)"))
        #expect(lines.contains("45 source days"))
        #expect(lines.contains("90 5-minute buckets"))
        #expect(lines.contains("3 alerts delivered or superseded"))
        #expect(lines.contains("1 undelivered alerts past the 30-day retry window"))
        #expect(lines.contains("4 delivery records of those alerts"))
        #expect(lines.contains("kept: 1 older undelivered alert(s) still being retried; every source checkpoint"))

        #expect(try s.values("SELECT min(day) FROM volume") == ["2026-11-11"])
        #expect(try s.values("SELECT count(*) FROM volume") == [30])
        #expect(try s.values("SELECT min(day) FROM source_day") == ["2026-11-11"])
        #expect(try s.values("SELECT min(start) FROM bucket") == [Int64(Day("2026-11-11")!.dayNumber) * 86_400])
        #expect(try s.values("SELECT id FROM alert ORDER BY id") == [4, 6] as [Int])
        #expect(try s.values("SELECT alert_id FROM delivery ORDER BY alert_id") == [4, 6] as [Int])
        #expect(try s.values("SELECT count(*) FROM source_checkpoint") == [1])
        let check = try CLIRunner.run(["state", "check", "--config", s.config, "--now", "2026-11-25T10:00"])
        #expect(check.status == 0, "\(check.stdout)")

        // Pruning again removes nothing more.
        let again = try s.prune(["--keep-days", "14"])
        #expect(again.status == 0)
        #expect(again.lines.contains { $0.trimmingCharacters(in: .whitespaces) == "0 volume rows (daily counts)" })
    }

    @Test func aShortRetryWindowLetsOldUndeliveredAlertsGo() throws {
        let s = try Setup(pendingDays: 7)
        let result = try s.prune(["--keep-days", "14"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("2 undelivered alerts past the 7-day retry window"))
        #expect(try s.values("SELECT id FROM alert ORDER BY id") == [6] as [Int])
    }

    @Test func dryRunCountsTheSameAndChangesNothing() throws {
        let s = try Setup()
        let original = StateFixture.bytes(s.path)
        let dry = try s.prune(["--keep-days", "20", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.lines.first == "dry run: would remove from \(s.path) everything before 2026-11-05 (nothing was changed):")
        #expect(StateFixture.bytes(s.path) == original)
        let real = try s.prune(["--keep-days", "20"])
        #expect(Array(dry.lines.dropFirst()) == Array(real.lines.dropFirst()))
        #expect(StateFixture.bytes(s.path) != original)
    }

    @Test func refusesToCutIntoTheDetectorWindowUnlessForced() throws {
        let s = try Setup()
        let original = StateFixture.bytes(s.path)
        let refused = try s.prune(["--keep-days", "13"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("10 working days"))
        #expect(refused.stderr.contains("reaches back to 2026-11-11 (14 days before 2026-11-25)"))
        #expect(refused.stderr.contains("Use --keep-days 14 or more, or --force"))
        #expect(StateFixture.bytes(s.path) == original)

        let forced = try s.prune(["--keep-days", "0", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try s.values("SELECT DISTINCT day FROM volume") == ["2026-11-25"])
        #expect(try s.values("SELECT id FROM alert ORDER BY id") == [4] as [Int])
    }

    @Test func holidaysStretchTheWindow() throws {
        // Three holidays inside the window push its first working day back to 2026-11-06.
        let s = try Setup(holidays: ["2026-11-11", "2026-11-12", "2026-11-13"])
        let refused = try s.prune(["--keep-days", "14"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("reaches back to 2026-11-06 (19 days before 2026-11-25)"))
        #expect(try s.prune(["--keep-days", "19"]).status == 0)
    }

    @Test func waitsForTheRunLock() throws {
        let s = try Setup()
        let fd = open(s.path + ".lock", O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        let original = StateFixture.bytes(s.path)
        let blocked = try s.prune(["--keep-days", "14", "--lock-timeout", "0.5"])
        #expect(blocked.status == 75)
        #expect(blocked.stderr.contains("another mvpipe run holds the lock"))
        #expect(StateFixture.bytes(s.path) == original)
        flock(fd, LOCK_UN)
        #expect(try s.prune(["--keep-days", "14"]).status == 0)
    }

    @Test func aMissingStateIsAnErrorAndIsNotCreated() throws {
        let dir = try TemporaryDirectory()
        let config = try StateFixture.config(in: dir, state: dir.file("state.sqlite"))
        let result = try CLIRunner.run(["state", "prune", "--config", config, "--keep-days", "30"])
        #expect(result.status == 74)
        #expect(!FileManager.default.fileExists(atPath: dir.file("state.sqlite")))
    }
}
