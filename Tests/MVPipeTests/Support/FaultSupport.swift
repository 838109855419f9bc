import Foundation
import GRDB
import Pipeline
import Testing

/// A read-only look into a state file, the way an admin would with `sqlite3`.
struct StateFile {
    let path: String

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    /// `PRAGMA integrity_check` ("ok" when the file is sound).
    func integrity() throws -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// Every alert as "user day #sequence", sorted.
    func alerts() throws -> [String] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT user, day, sequence FROM alert ORDER BY user, day, sequence").map {
                "\($0["user"] as String) \($0["day"] as String) #\($0["sequence"] as Int)"
            }
        }
    }

    /// Alert ids recorded as delivered to `notifier`.
    func delivered(to notifier: String) throws -> Set<Int64> {
        try read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT alert_id FROM delivery WHERE notifier = ? AND delivered_at IS NOT NULL",
                                   arguments: [notifier]))
        }
    }

    /// Every alert id.
    func alertIDs() throws -> Set<Int64> {
        try read { db in Set(try Int64.fetchAll(db, sql: "SELECT id FROM alert")) }
    }

    /// Stored messages per "source/day/user".
    func volumes() throws -> [String: Int] {
        try read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, day, user, messages FROM volume") {
                result["\(row["source"] as String)/\(row["day"] as String)/\(row["user"] as String)"] = row["messages"]
            }
            return result
        }
    }

    /// Whether `day` of `source` is marked final.
    func isFinal(source: String, day: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT final FROM source_day WHERE source = ? AND day = ?", arguments: [source, day]) ?? false
        }
    }
}

/// The built `mvpipe` started in the background, to be killed once the test saw the event it waited for (a
/// request arriving at a server that holds it), or waited for.
final class BackgroundRun {
    let process = Process()
    private let stderrPath: String

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = arguments
        process.environment = CLIRunner.environment(adding: environment)
        stderrPath = NSTemporaryDirectory() + "mvpipe-bg-\(UUID().uuidString.prefix(8)).stderr"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    /// SIGKILLs the run now; true when it was still running (it ended by the signal).
    @discardableResult
    func kill() -> Bool {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    /// Waits for the run to end and returns its exit status and stderr. A run still going after
    /// ``Eventually/deadline`` seconds is killed and reported as status -9 (a hang guard: it fails the test).
    func wait() -> (status: Int32, stderr: String) {
        let end = Date().addingTimeInterval(Eventually.deadline)
        while process.isRunning && Date() < end { usleep(5_000) }
        if process.isRunning {
            kill()
            return (-9, stderrText)
        }
        process.waitUntilExit()
        return (process.terminationStatus, stderrText)
    }

    var stderrText: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill() }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}

/// Where a test makes mvpipe kill itself (see `TestKillPoint` and CONTRIBUTING.md): what the run has done, not how
/// long it has run.
struct KillPoint: CustomStringConvertible {
    let point: TestKillPoint
    let count: Int

    init(_ point: TestKillPoint, _ count: Int) {
        self.point = point
        self.count = count
    }

    var description: String { "\(point.rawValue):\(count)" }

    /// The environment that arms it.
    var environment: [String: String] { [TestKillPoint.variable: description] }

    /// Whether `result` is a run that died at this point (and not by chance or another signal).
    func killed(_ result: CLIRunner.Result) -> Bool {
        result.signal == SIGKILL && result.stderr.contains("\(TestKillPoint.variable)=\(description) reached")
    }
}

/// SplitMix64: the same "random" kill points on every machine and run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
