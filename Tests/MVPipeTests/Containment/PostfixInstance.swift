import Foundation
import Testing

/// A private, real Postfix (Debian's package) on loopback, made by `scripts/test-postfix`: its own config, queue
/// and data folders in a temporary folder, one SASL submission port (users alice, bob, carol @example.org, password
/// "secret"), `maillog_file` in the folder, and everything relayed to an aiosmtpd sink that keeps each message in a
/// Maildir. Its sender restrictions are the README's containment snippet: logins in ``saslMap`` and envelope senders
/// in ``senderMap`` go to the hold queue.
///
/// Tests that need it run as root where Postfix, swaks and aiosmtpd are installed (`scripts/test-postfix install`);
/// elsewhere they are left out with the reason, except in CI (`CI` set), where they fail instead.
final class PostfixInstance: @unchecked Sendable {
    /// The instance of the suite being run (see ``PostfixInstanceTrait``).
    @TaskLocal static var current: PostfixInstance?

    /// Every account's password.
    static let password = "secret"

    let directory: TemporaryDirectory
    /// `config_directory`: for `postfix -c`, `postqueue -c`, `postmap -c`.
    let config: String
    /// Postfix's own log (`maillog_file`).
    let maillog: String
    /// The `check_sasl_access texthash:` map (held logins).
    let saslMap: String
    /// The `check_sender_access texthash:` map (held envelope senders).
    let senderMap: String
    let submissionPort: Int
    private let sinkMaildir: String
    private let lock = NSLock()
    private var stopped = false

    // MARK: Availability

    static let script = ToolRunner.repositoryRoot + "/scripts/test-postfix"

    /// Why tests that need a real Postfix cannot run here, or nil when they can.
    static let missing: String? = {
        if getuid() != 0 { return "needs root (Postfix's master starts as root)" }
        let fm = FileManager.default
        for tool in ["/usr/sbin/postfix", "/usr/sbin/postqueue", "/usr/sbin/postmap", "/usr/sbin/saslpasswd2", "/usr/bin/swaks"]
        where !fm.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed (scripts/test-postfix install)"
        }
        if !fm.fileExists(atPath: "/usr/lib/python3/dist-packages/aiosmtpd") {
            return "python3-aiosmtpd is not installed (scripts/test-postfix install)"
        }
        return nil
    }()

    /// Whether these tests run: everything is there, or this is CI (where they then fail if it is not).
    static var enabled: Bool { missing == nil || ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } == true }

    /// The reason shown when they are left out.
    static var skipReason: Comment { Comment(rawValue: "a real Postfix: \(missing ?? "available")") }

    // MARK: Life

    /// Makes and starts an instance (about 3 s).
    init() throws {
        directory = try TemporaryDirectory("mvpipe-postfix")
        chmod(directory.path, 0o755)
        let root = directory.file("instance")
        let start = try ToolRunner.run(Self.script, ["start", root])
        guard start.status == 0 else {
            throw SetupError("scripts/test-postfix start failed (\(start.status)): \(start.stderr)")
        }
        var values: [String: String] = [:]
        for line in start.lines {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        func value(_ key: String) throws -> String {
            guard let found = values[key] else {
                _ = try? ToolRunner.run(Self.script, ["stop", root])
                throw SetupError("scripts/test-postfix start printed no \(key): \(start.stdout)")
            }
            return found
        }
        config = try value("config")
        maillog = try value("maillog")
        saslMap = try value("sasl_map")
        senderMap = try value("sender_map")
        sinkMaildir = try value("sink_maildir")
        submissionPort = Int(try value("submission_port")) ?? 0
    }

    /// Stops Postfix and the sink (only this instance's); safe to call again.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        _ = try? ToolRunner.run(Self.script, ["stop", directory.file("instance")])
    }

    deinit { stop() }

    // MARK: Sending

    /// A message accepted by Postfix.
    struct Sent: CustomStringConvertible {
        var login: String
        var queueID: String
        /// Unique: finds the message in the sink.
        var subject: String
        var description: String { "\(login)'s message \(queueID) (\(subject))" }
    }

    /// Submits one message as SASL user `login` (the envelope sender too, unless `from` is given) through the
    /// submission port; returns once Postfix accepted it (held or queued for delivery).
    @discardableResult
    func send(as login: String, from sender: String? = nil, to recipient: String = "someone@remote.test") throws -> Sent {
        let subject = "mvpipe test \(UUID().uuidString.prefix(8))"
        let result = try ToolRunner.run("/usr/bin/swaks", [
            "--server", "127.0.0.1", "--port", String(submissionPort),
            "--auth", "PLAIN", "--auth-user", login, "--auth-password", Self.password,
            "--from", sender ?? login, "--to", recipient, "--header", "Subject: \(subject)",
            "--body", "A test message from mvpipe's tests.",
        ])
        guard result.status == 0, let match = result.stdout.firstMatch(of: #/queued as ([0-9A-Za-z]+)/#) else {
            throw SetupError("swaks as \(login) failed (\(result.status)):\n\(result.stdout.suffix(1500))\n\(result.stderr)")
        }
        return Sent(login: login, queueID: String(match.1), subject: subject)
    }

    // MARK: The queue

    /// One message in Postfix's queue (a line of `postqueue -j`).
    struct QueuedMessage {
        /// maildrop, incoming, active, deferred or hold.
        var queueName: String
        var queueID: String
        var sender: String
    }

    /// `postqueue -c CONFIG -j`.
    func queue() throws -> [QueuedMessage] {
        let result = try ToolRunner.run("/usr/sbin/postqueue", ["-c", config, "-j"])
        guard result.status == 0 else { throw SetupError("postqueue -j failed (\(result.status)): \(result.stderr)") }
        return try result.lines.map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = object["queue_name"] as? String, let id = object["queue_id"] as? String else {
                throw SetupError("unexpected postqueue -j line: \(line)")
            }
            return QueuedMessage(queueName: name, queueID: id, sender: object["sender"] as? String ?? "")
        }
    }

    /// Waits until nothing is on its way (no message in maildrop, incoming or active); a deferred message is a
    /// failed delivery to the sink and fails at once. Returns the queue then (held messages).
    @discardableResult
    func waitUntilSettled() throws -> [QueuedMessage] {
        try Eventually.wait(for: "Postfix's queue to settle (\((try? queue())?.map { "\($0.queueID) \($0.queueName)" } ?? []))") {
            let now = try queue()
            if let deferred = now.first(where: { $0.queueName == "deferred" }) {
                throw SetupError("message \(deferred.queueID) from \(deferred.sender) was deferred: \(logTail())")
            }
            return !now.contains { ["maildrop", "incoming", "active"].contains($0.queueName) }
        }
        return try queue()
    }

    /// The queue a sent message is in now, or nil when it has left the queue.
    func queueName(of sent: Sent) throws -> String? {
        try queue().first { $0.queueID == sent.queueID }?.queueName
    }

    // MARK: The sink

    /// A message the sink received.
    struct Delivered {
        var sender: String
        var subject: String
    }

    /// Every message the sink received so far (its Maildir's `new`: written before the sink answers 250).
    func delivered() throws -> [Delivered] {
        let folder = sinkMaildir + "/new"
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            func header(_ field: String) -> String {
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.isEmpty || line == "\r" { break }
                    if line.lowercased().hasPrefix(field.lowercased() + ":") {
                        return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                }
                return ""
            }
            return Delivered(sender: header("X-MailFrom"), subject: header("Subject"))
        }
    }

    /// Whether the sink received `sent`.
    func wasDelivered(_ sent: Sent) throws -> Bool {
        try delivered().contains { $0.subject == sent.subject }
    }

    /// Waits until the sink received `sent` and Postfix logged its removal (so a log reader sees all of it).
    func waitUntilDelivered(_ sent: Sent) throws {
        try Eventually.wait(for: "\(sent) to reach the sink") {
            if try queueName(of: sent) == "hold" { throw SetupError("\(sent) is in the hold queue, not delivered") }
            return try wasDelivered(sent)
        }
        try waitUntilLogged("\(sent.queueID): removed")
    }

    /// Waits until `sent` is in the hold queue and its submission is in the log.
    func waitUntilHeld(_ sent: Sent) throws {
        try Eventually.wait(for: "\(sent) to be in the hold queue") {
            if try wasDelivered(sent) { throw SetupError("\(sent) was delivered, not held") }
            return try queueName(of: sent) == "hold"
        }
        try waitUntilLogged("\(sent.queueID): client=")
    }

    // MARK: The log

    /// Postfix's log so far.
    func log() -> String { (try? String(contentsOfFile: maillog, encoding: .utf8)) ?? "" }

    /// The log's last lines, for failure messages.
    func logTail(_ count: Int = 15) -> String {
        log().split(separator: "\n").suffix(count).joined(separator: "\n")
    }

    /// Waits until the log has a line containing `fragment` (Postfix's log writer is asynchronous).
    func waitUntilLogged(_ fragment: String) throws {
        try Eventually.wait(for: "\"\(fragment)\" in Postfix's log") { log().contains(fragment) }
    }

    // MARK: Reloading

    /// What a reload is waited against: how many reloads the log shows, and the smtpd processes running before.
    struct ReloadMark {
        var reloads: Int
        var smtpds: Set<Int32>
    }

    /// Marks the moment before something (a test or mvpipe) runs `postfix reload`.
    func markBeforeReload() -> ReloadMark {
        ReloadMark(reloads: reloadCount(), smtpds: childProcesses(named: "smtpd"))
    }

    /// Waits until the master logged a reload after `mark`, and every smtpd process started before it (each holds
    /// the map it read when it started) has exited: the next connection is served by an smtpd reading the new map.
    func waitForReload(after mark: ReloadMark) throws {
        try Eventually.wait(for: "postfix reload to be logged") { reloadCount() > mark.reloads }
        try Eventually.wait(for: "the smtpd processes started before the reload to exit") {
            childProcesses(named: "smtpd").isDisjoint(with: mark.smtpds)
        }
    }

    /// `postfix -c CONFIG reload`, waited for (see ``waitForReload(after:)``).
    func reload() throws {
        let mark = markBeforeReload()
        let result = try ToolRunner.run("/usr/sbin/postfix", ["-c", config, "reload"])
        guard result.status == 0 else { throw SetupError("postfix reload failed (\(result.status)): \(logTail())") }
        try waitForReload(after: mark)
    }

    /// The argument array that reloads this instance (for a postfix-hold notifier's `reload_command`).
    var reloadCommand: [String] { ["/usr/sbin/postfix", "-c", config, "reload"] }

    private func reloadCount() -> Int {
        log().split(separator: "\n").filter { $0.contains("postfix/master[") && $0.contains(": reload -- ") }.count
    }

    /// PIDs of the master's children called `name`.
    private func childProcesses(named name: String) -> Set<Int32> {
        guard let pidText = try? String(contentsOfFile: directory.file("instance/queue/pid/master.pid"), encoding: .utf8),
              let master = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else { return [] }
        var found: Set<Int32> = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let comm = stat[stat.index(after: open)..<close]
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if comm == name, fields.count > 1, Int32(fields[1]) == master { found.insert(pid) }
        }
        return found
    }

    // MARK: Maps

    /// Replaces a map's text (for tests that write it by hand; mvpipe's postfix-hold notifier writes its own).
    func writeMap(_ map: String, _ lines: [String]) throws {
        try Data((lines.map { $0 + "\n" }.joined()).utf8).write(to: URL(fileURLWithPath: map))
        chmod(map, 0o644)
        // Postfix re-reads a texthash file modified in the current second until it is older (0.3 s steps, against
        // half-written files): dated 2 s back, a hand-written map is read at once.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2)], ofItemAtPath: map)
    }

    /// `postmap -c CONFIG -q KEY texthash:MAP`: the value Postfix finds for `key`, or nil when it finds none.
    func lookup(_ key: String, in map: String) throws -> String? {
        let result = try ToolRunner.run("/usr/sbin/postmap", ["-c", config, "-q", key, "texthash:" + map])
        switch result.status {
        case 0: return result.stdout.trimmingCharacters(in: .newlines)
        case 1: return nil
        default: throw SetupError("postmap -q \(key) texthash:\(map) failed (\(result.status)): \(result.stderr)")
        }
    }
}
