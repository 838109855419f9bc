import Foundation
import Testing

/// A postfix-log pipeline in a temporary folder, on a SQLite file or a new PostgreSQL database, run through the
/// built binary: for the alert evidence, the recipients metric, severity order and silences.
final class EvidenceHarness {
    /// The state stores the CLI tests run on: PostgreSQL only when the test cluster is up.
    static var stores: [String] { TestPostgres.enabled ? ["sqlite", "postgresql"] : ["sqlite"] }

    let dir: TemporaryDirectory
    let configPath: String
    private var environment: [String: String] = [:]
    private var log = ""

    /// A config reading `mail.log` (SASL logins), with `detectors`, a console notifier, state in `store`.
    init(store: String, detectors: [[String: Any]]) throws {
        dir = try TemporaryDirectory("mvpipe-evidence")
        configPath = dir.file("pipeline.json")
        var state: Any = dir.file("state.sqlite")
        if store == "postgresql" {
            #if canImport(PostgresStore)
            environment["MVPIPE_STATE_URL"] = try TestPostgres.newDatabase()
            state = ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"]
            #else
            throw SetupError("this build has no PostgreSQL store (MVPIPE_WITHOUT_POSTGRES)")
            #endif
        }
        try ConfigFile.write([
            "timezone": "UTC",
            "state": state,
            "sources": [["type": "postfix-log", "paths": [dir.file("mail.log")]]],
            "detectors": detectors,
            "notifiers": [["type": "console"]],
        ], to: configPath)
        try Data().write(to: URL(fileURLWithPath: dir.file("mail.log")))
    }

    private var next = 0x10000

    /// Appends `count` authenticated submissions of `user` on `day` from `ip`, `rcpt` recipients each, from `hour`.
    func send(_ count: Int, user: String, on day: String, from ip: String = "192.0.2.10", rcpt: Int = 1,
              hour: Int = 9) throws {
        var text = ""
        for i in 0..<count {
            next += 1
            let hex = String(next, radix: 16, uppercase: true)
            let qid = "B" + String(repeating: "0", count: max(0, 9 - hex.count)) + hex
            let t = "\(day)T\(hour < 10 ? "0" : "")\(hour):\(i / 60 % 60 < 10 ? "0" : "")\(i / 60 % 60):\(i % 60 < 10 ? "0" : "")\(i % 60).000000+00:00 mx"
            text += "\(t) postfix/submission/smtpd[2001]: \(qid): client=mua.example.net[\(ip)], sasl_method=PLAIN, sasl_username=\(user)\n"
            text += "\(t) postfix/qmgr[1999]: \(qid): from=<\(user)>, size=1234, nrcpt=\(rcpt) (queue active)\n"
            text += "\(t) postfix/qmgr[1999]: \(qid): removed\n"
        }
        try append(text)
    }

    /// Appends raw log text.
    func append(_ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("mail.log")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Runs `mvpipe ARGS --config CONFIG`.
    func mvpipe(_ arguments: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments + ["--config", configPath], environment: environment)
    }

    /// The report's alert headlines (`- user: ...`), in order.
    static func headlines(_ result: CLIRunner.Result) -> [String] {
        result.lines.filter { $0.hasPrefix("- ") }
    }
}
