import Foundation
import Testing

/// One user's line of `mvpipe counts --json`.
struct MaillogCount: Equatable, CustomStringConvertible {
    var messages: Int
    var recipients: Int?

    var description: String { "\(messages)/\(recipients.map(String.init) ?? "-")" }
}

/// A temporary folder with a pipeline config whose only source is a maillog source, and `mvpipe counts` on it.
final class MaillogHarness {
    let dir: TemporaryDirectory
    let configPath: String

    /// A config with `source` (its paths relative to the folder) in time zone `timezone`.
    init(source: [String: Any], timezone: String = "UTC") throws {
        dir = try TemporaryDirectory("mvpipe-logs")
        configPath = dir.file("pipeline.json")
        try ConfigFile.write([
            "timezone": timezone,
            "state": dir.file("state.sqlite"),
            "sources": [source],
            "notifiers": [["type": "console"]],
        ], to: configPath)
    }

    /// A postfix-log config over `paths`.
    convenience init(postfix paths: [String] = ["mail.log*"], identity: String? = nil, timezone: String = "UTC") throws {
        var source: [String: Any] = ["type": "postfix-log", "paths": paths]
        if let identity { source["identity"] = identity }
        try self.init(source: source, timezone: timezone)
    }

    /// Runs `mvpipe counts --day DAY --json` (at `--now NOW` when given).
    func run(day: String, now: String? = nil) throws -> CLIRunner.Result {
        try CLIRunner.run(["counts", "--config", configPath, "--day", day, "--json", "--store-for-tests"] + (now.map { ["--now", $0] } ?? []))
    }

    /// Per-user counts on `day`; records an issue when the run fails.
    func counts(day: String, now: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: MaillogCount] {
        let result = try run(day: day, now: now)
        #expect(result.status == 0, "counts failed: \(result.stderr)", sourceLocation: sourceLocation)
        return try Self.parse(result)
    }

    /// Parses `counts --json` output.
    static func parse(_ result: CLIRunner.Result) throws -> [String: MaillogCount] {
        var counts: [String: MaillogCount] = [:]
        for line in result.lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if object["source"] != nil { continue }  // a source's skipped-input report
            let user = try #require(object["user"] as? String)
            counts[user] = MaillogCount(messages: try #require(object["messages"] as? Int),
                                        recipients: object["recipients"] as? Int)
        }
        return counts
    }

    /// The per-source reports (`{"source", "skipped", "notes", "error"}`) of `counts --json` output.
    static func problems(_ result: CLIRunner.Result) throws -> [[String: Any]] {
        try result.lines.compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["source"] != nil }
    }

    /// `path/relative`.
    func file(_ relative: String) -> String { dir.file(relative) }

    /// Writes (replacing) a file in the folder.
    func write(_ relative: String, _ text: String) throws {
        try dir.write(relative, text)
    }

    /// Writes raw bytes (replacing) to a file in the folder.
    func write(_ relative: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(relative)))
    }

    /// Appends text to a file in the folder (creating it).
    func append(_ relative: String, _ text: String) throws {
        let path = file(relative)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Renames a file in the folder.
    func move(_ from: String, _ to: String) throws {
        try FileManager.default.moveItem(atPath: file(from), toPath: file(to))
    }

    /// Compresses `relative` with gzip as logrotate does (`relative.gz` replaces it, modification time kept).
    func gzip(_ relative: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-9", file(relative)]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

/// Postfix log lines for tests, with RFC 3339 stamps on one day (so no year is inferred).
enum PostfixLines {
    /// `2026-11-20T10:MM:SS.000000+00:00 mx` with `second` counted from 10:00:00.
    static func stamp(_ second: Int, day: String = "2026-11-20") -> String {
        let h = 10 + second / 3600, m = (second / 60) % 60, s = second % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day)T\(two(h)):\(two(m)):\(two(s)).000000+00:00 mx"
    }

    /// A short hex queue ID for message number `n`.
    static func queueID(_ n: Int) -> String {
        let hex = String(n, radix: 16, uppercase: true)
        return "A" + String(repeating: "0", count: max(0, 9 - hex.count)) + hex
    }

    /// The smtpd `client=` line of an authenticated submission.
    static func client(_ n: Int, user: String, at second: Int, ip: String = "192.0.2.10") -> String {
        "\(stamp(second)) postfix/submission/smtpd[2001]: \(queueID(n)): client=mua.example.net[\(ip)], sasl_method=PLAIN, sasl_username=\(user)\n"
    }

    /// The qmgr `(queue active)` line.
    static func queued(_ n: Int, from: String, rcpt: Int, at second: Int) -> String {
        "\(stamp(second)) postfix/qmgr[1999]: \(queueID(n)): from=<\(from)>, size=1234, nrcpt=\(rcpt) (queue active)\n"
    }

    /// The qmgr `removed` line.
    static func removed(_ n: Int, at second: Int) -> String {
        "\(stamp(second)) postfix/qmgr[1999]: \(queueID(n)): removed\n"
    }

    /// A whole authenticated submission: client, cleanup, qmgr, delivery, removed.
    static func message(_ n: Int, user: String, rcpt: Int = 1, at second: Int) -> String {
        client(n, user: user, at: second)
            + "\(stamp(second)) postfix/cleanup[2002]: \(queueID(n)): message-id=<\(n)@example.org>\n"
            + queued(n, from: user, rcpt: rcpt, at: second)
            + "\(stamp(second + 1)) postfix/smtp[2003]: \(queueID(n)): to=<r\(n)@remote.test>, relay=mx.remote.test[198.51.100.2]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 OK)\n"
            + removed(n, at: second + 1)
    }
}
