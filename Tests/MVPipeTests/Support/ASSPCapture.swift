import Foundation

/// The real ASSP runs in Tests/Fixtures/assp (runs.json, each run's maillog.txt, truth.json and archive), and what
/// mvpipe should count in them, computed from what was sent (truth.json) and ASSP's documented behaviour
/// (Tests/Fixtures/assp/README.md), never from the logs.
enum ASSPCapture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/assp")

    /// The day every run was captured on (year 2026 in the logs).
    static let day = "2026-12-02"
    /// The local time runs are read at (so ambiguous month names resolve the same way every year).
    static let now = "2026-12-02T23:00"

    /// One run's settings (runs.json).
    struct Run: Decodable, Sendable, CustomStringConvertible {
        struct Archive: Decodable, Sendable {
            var outPath: String
            var bouncesCollected: Bool
            var freqNonSpam: Int
            var encrypt: Bool
        }

        var dir: String
        var asspVersion: String
        var authLogUser: Bool
        var connectionLog: Int
        var validateUserLog: Int
        var localAddressValidation: Bool
        var uniqueIDLogging: Bool
        var uniqueIDPrefix: String
        var logDateFormat: String
        var numComWorkers: Int?
        var archive: Archive?

        var description: String { dir }
        var folder: URL { ASSPCapture.root.appendingPathComponent(dir) }
        var isLegacy: Bool { asspVersion.hasPrefix("1.") }
        /// ASSP logged every accepted recipient (`recipient accepted:`), so recipient counts are exact.
        var recipientsLogged: Bool { validateUserLog >= 2 && localAddressValidation }

        /// The run's maillog.txt.
        var logPath: String { folder.appendingPathComponent("maillog.txt").path }

        /// The lines of maillog.txt, as bytes (without newlines).
        func logLines() throws -> [[UInt8]] {
            let data = try Data(contentsOf: URL(fileURLWithPath: logPath))
            return data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) }
        }

        func truth() throws -> Truth {
            try JSONDecoder().decode(Truth.self, from: Data(contentsOf: folder.appendingPathComponent("truth.json")))
        }

        /// The `layout` option for this run's archive: `ASSP_ARCoutPATH` after `archive/out/`.
        var archiveLayout: String? {
            archive.map { String($0.outPath.dropFirst("archive/out/".count)) }
        }
    }

    /// Every captured run.
    static let runs: [Run] = {
        struct Index: Decodable { var runs: [Run] }
        let data = try! Data(contentsOf: root.appendingPathComponent("runs.json"))
        return try! JSONDecoder().decode(Index.self, from: data).runs
    }()

    /// The run in `dir`.
    static func run(_ dir: String) -> Run { runs.first { $0.dir == dir }! }

    /// What the sender did (truth.json).
    struct Truth: Decodable, Sendable {
        struct Auth: Decodable, Sendable {
            var mechanism: String
            var login: String
            var result: String
        }

        struct Session: Decodable, Sendable {
            var session: String
            var clientIP: String
            var auth: [Auth]?
        }

        struct Message: Decodable, Sendable {
            var session: String
            var authLogin: String?
            var envelopeSender: String
            var acceptedRecipients: [String]
            var direction: String
            var accepted: Bool
            var day: String
        }

        var sessions: [Session]
        var messages: [Message]

        enum CodingKeys: String, CodingKey { case sessions, messages }

        /// Messages ASSP accepted.
        var accepted: [Message] { messages.filter(\.accepted) }

        /// AUTH commands with a mechanism ASSP logs the login of (PLAIN, LOGIN), successful or not.
        var authAttempts: Int {
            sessions.reduce(0) { $0 + ($1.auth ?? []).filter { ["PLAIN", "LOGIN"].contains($0.mechanism) }.count }
        }

        /// The login ASSP logs for `message`'s session: the successful AUTH's login; PLAIN is split on spaces by
        /// ASSP (`o'brien x` is logged `o'brien`). Lower-cased as mvpipe's default `lowercase` does.
        func asspLogin(of message: Message) -> String? {
            guard message.authLogin != nil,
                  let auth = sessions.first(where: { $0.session == message.session })?.auth?.last(where: { $0.result == "235" })
            else { return nil }
            let login = auth.mechanism == "PLAIN" ? String(auth.login.split(separator: " ").first ?? "") : auth.login
            return asciiLowercased(login)
        }

        /// The envelope sender as ASSP logs it, lower-cased: ASSP 2.4.5 and 1.10.1 drop a quoted local part
        /// (`"o'brien x"@example.org`) like an empty sender.
        func asspSender(of message: Message) -> String {
            message.envelopeSender.hasPrefix("\"") ? "" : asciiLowercased(message.envelopeSender)
        }

        /// What `assp-log` should count: outgoing accepted messages (a successful AUTH, or `outgoing` in the truth
        /// when `unauthenticatedOutgoing`), per login (identity `login` with logins logged) or else per sender;
        /// empty senders not at all. Recipients exact when logged, else nil.
        func expectedLogCounts(login: Bool, loginsLogged: Bool, recipientsLogged: Bool,
                               unauthenticatedOutgoing: Bool = true) -> [String: MaillogCount] {
            var counts: [String: (messages: Int, recipients: Int)] = [:]
            for message in accepted {
                let authenticated = message.authLogin != nil
                guard authenticated || (unauthenticatedOutgoing && message.direction == "outgoing") else { continue }
                let user = login && loginsLogged && authenticated ? asspLogin(of: message)! : asspSender(of: message)
                guard !user.isEmpty else { continue }
                counts[user, default: (0, 0)].messages += 1
                counts[user, default: (0, 0)].recipients += message.acceptedRecipients.count
            }
            return counts.mapValues { MaillogCount(messages: $0.messages, recipients: recipientsLogged ? $0.recipients : nil) }
        }

        /// Accepted messages of sessions that logged in.
        var authenticatedMessages: [Message] { accepted.filter { $0.authLogin != nil } }
    }
}

/// ASCII lower-casing, as mvpipe's `lowercase` option does (`jörg` stays `jörg`).
func asciiLowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
}
