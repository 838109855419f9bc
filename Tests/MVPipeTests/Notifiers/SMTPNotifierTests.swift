import Foundation
@testable import Notifiers
import Pipeline
import Testing

/// A received message split into header fields (unfolded) and the body.
private struct ReceivedMail {
    var raw: [UInt8]
    var headers: [(name: String, value: String)]
    var body: String

    init(_ raw: [UInt8]) throws {
        self.raw = raw
        let text = String(decoding: raw, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        try #require(parts.count >= 2, "no blank line between headers and body")
        let headerText = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
        headers = headerText.components(separatedBy: "\r\n").map { line in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            return (String(line[..<colon]), line[colon...].dropFirst().trimmingCharacters(in: .whitespaces))
        }
        body = parts.dropFirst().joined(separator: "\r\n\r\n")
    }

    func header(_ name: String) -> [String] { headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value) }

    /// Whether every LF is preceded by CR (no bare line ends).
    var onlyCRLF: Bool {
        for (i, b) in raw.enumerated() where b == 0x0A { if i == 0 || raw[i - 1] != 0x0D { return false } }
        for (i, b) in raw.enumerated() where b == 0x0D { if i + 1 >= raw.count || raw[i + 1] != 0x0A { return false } }
        return true
    }

    /// The body decoded from quoted-printable or 7bit, with `\n` line ends.
    var decodedBody: String {
        guard header("Content-Transfer-Encoding").first == "quoted-printable" else {
            return body.replacingOccurrences(of: "\r\n", with: "\n")
        }
        var bytes: [UInt8] = []
        let src = Array(body.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var i = 0
        while i < src.count {
            if src[i] == UInt8(ascii: "="), i + 2 < src.count, let v = UInt8(String(decoding: src[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(v)
                i += 3
            } else {
                bytes.append(src[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }
}

private func smtpEntry(port: Int, scheme: String = "smtp", extra: [String: Any] = [:]) -> [String: Any] {
    var entry: [String: Any] = ["type": "smtp", "url": "\(scheme)://127.0.0.1:\(port)", "from": "relay@example.org",
                                "to": ["admin@example.org", "oncall@example.org"], "timeout": 120, "max_retry_seconds": 1]
    entry.merge(extra) { _, new in new }
    return entry
}

@Suite("smtp notifier against aiosmtpd")
struct SMTPNotifierTests {
    @Test func starttlsWithAuthDeliversAProperMessage() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile,
                                                     "--user", "alerts", "--password", "pa55 w:rd"])
        defer { server.stop() }
        var harness = NotifierHarness()
        harness.environment = ["SMTP_PW": "pa55 w:rd"]
        let notifier = try harness.make(smtpEntry(port: server.port, extra: [
            "starttls": "required", "username": "alerts", "password_env": "SMTP_PW", "ca_file": tls.caFile]))
        let batch = harness.batch(users: ["bulk@example.org"])
        try notifier.deliver(batch)

        let records = try server.records()
        try #require(records.count == 1, "server stderr: \(server.stderr)")
        let record = records[0]
        #expect(record["tls"] as? Bool == true)
        #expect(record["auth_user"] as? String == "alerts")
        #expect(record["mail_from"] as? String == "relay@example.org")
        #expect(record["rcpt_tos"] as? [String] == ["admin@example.org", "oncall@example.org"])
        let mail = try ReceivedMail(recordBytes(record, "data_b64"))
        #expect(mail.onlyCRLF)
        for name in ["Date", "Message-ID", "From", "To", "Subject", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"] {
            #expect(mail.header(name).count == 1, "header \(name)")
        }
        #expect(mail.header("From") == ["mvpipe <relay@example.org>"])
        #expect(mail.header("To") == ["admin@example.org, oncall@example.org"])
        #expect(mail.header("Subject") == [AlertFormatter.subject(batch)])
        #expect(mail.header("MIME-Version") == ["1.0"])
        #expect(mail.header("Content-Type") == ["text/plain; charset=utf-8"])
        #expect(["7bit", "8bit", "quoted-printable"].contains(mail.header("Content-Transfer-Encoding").first ?? ""))
        let date = mail.header("Date").first ?? ""
        #expect(date.range(of: #"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"#, options: .regularExpression) != nil, "\(date)")
        let messageID = mail.header("Message-ID").first ?? ""
        #expect(messageID.range(of: #"^<[^<>@\s]+@example\.org>$"#, options: .regularExpression) != nil, "\(messageID)")
        #expect(mail.decodedBody == AlertFormatter.body(batch))
        #expect(mail.decodedBody.contains("bulk@example.org: 500 messages on 2026-11-25"))
        #expect(!harness.logs.text.contains("pa55"))
    }

    @Test func implicitTLSDelivers() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile, "--implicit-tls"])
        defer { server.stop() }
        let notifier = try NotifierHarness().make(smtpEntry(port: server.port, scheme: "smtps", extra: ["ca_file": tls.caFile]))
        try notifier.deliver(NotifierHarness().batch(users: ["bulk@example.org"]))
        let records = try server.records()
        try #require(records.count == 1, "server stderr: \(server.stderr)")
        #expect(records[0]["tls"] as? Bool == true)
    }

    @Test func hostileUserNamesStayInTheBodyAsInertText() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir); defer { server.stop() }
        let harness = NotifierHarness()
        let notifier = try harness.make(smtpEntry(port: server.port))
        let batch = harness.batch(users: HostileNames.all)
        try notifier.deliver(batch)

        let records = try server.records()
        try #require(records.count == 1)
        #expect(records[0]["rcpt_tos"] as? [String] == ["admin@example.org", "oncall@example.org"])
        let mail = try ReceivedMail(recordBytes(records[0], "data_b64"))
        #expect(mail.onlyCRLF)
        #expect(mail.header("Bcc").isEmpty)
        #expect(Set(mail.headers.map(\.name)) == ["Date", "Message-ID", "From", "To", "Subject", "MIME-Version", "Content-Type",
                                                  "Content-Transfer-Encoding", "Auto-Submitted", "X-Mailer"])
        let body = mail.decodedBody
        #expect(body.contains(#"a\x0d\x0aBcc: x@evil.test"#))
        #expect(!body.contains("\r"))
        #expect(!body.contains("\nBcc:"))
        #expect(body.contains("- $(reboot): 504 messages"))
        #expect(body.contains("- <!channel>: 500 messages"))
        #expect(body.contains("bytes]"), "the 10 kB name is cut")
        #expect(body.utf8.count < 5_000)
    }

    @Test func nonASCIISubjectIsRFC2047Encoded() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        harness.hostName = "relais-übersee-東京-" + String(repeating: "x", count: 60)
        let notifier = try harness.make(smtpEntry(port: server.port))
        let batch = harness.batch(users: ["bulk@example.org"])
        try notifier.deliver(batch)
        let records = try server.records()
        try #require(records.count == 1)
        let mail = try ReceivedMail(recordBytes(records[0], "data_b64"))
        let subject = try #require(mail.header("Subject").first)
        #expect(subject.unicodeScalars.allSatisfy { $0.isASCII })
        let words = subject.split(separator: " ")
        #expect(words.allSatisfy { $0.hasPrefix("=?utf-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        let decoded = words.map { word -> [UInt8] in
            Array(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data())
        }.joined()
        #expect(String(decoding: Array(decoded), as: UTF8.self) == AlertFormatter.subject(batch))
        #expect(mail.header("Content-Transfer-Encoding") == ["quoted-printable"])
        #expect(mail.decodedBody == AlertFormatter.body(batch))
        // Every raw line stays within the SMTP limit.
        #expect(String(decoding: mail.raw, as: UTF8.self).components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func leadingDotsSurviveTheTrip() throws {
        // libcurl dot-stuffs the upload; the server un-stuffs it. A broken stuffing would eat the dot
        // (or end the message early at a lone ".").
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir); defer { server.stop() }
        let message = MailMessage(from: "relay@example.org", to: ["admin@example.org"], subject: "dots",
                                  body: ".leading\n.\n..two\nend\n", date: Date(), messageID: "t@example.org")
        try SMTPRequest(url: "smtp://127.0.0.1:\(server.port)", tls: .off, mailFrom: "relay@example.org",
                        recipients: ["admin@example.org"], message: message.render()).send()
        let records = try server.records()
        try #require(records.count == 1)
        let mail = try ReceivedMail(recordBytes(records[0], "data_b64"))
        #expect(mail.decodedBody == ".leading\n.\n..two\nend\n")
        #expect(MailMessage.quotedPrintable(Array(".é".utf8)) == "=2E=C3=A9")
        #expect(MailMessage.quotedPrintable(Array(String(repeating: "a", count: 80).utf8)).components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
    }

    @Test func wrongPasswordIsPermanentAndNotRetried() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile,
                                                     "--user", "alerts", "--password", "right"])
        defer { server.stop() }
        var harness = NotifierHarness()
        harness.environment = ["SMTP_PW": "wrong-secret"]
        let notifier = try harness.make(smtpEntry(port: server.port, extra: [
            "starttls": "required", "username": "alerts", "password_env": "SMTP_PW", "ca_file": tls.caFile,
            "max_retry_seconds": 20]))
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("rejected the user name or password") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("wrong-secret") == false)
        #expect(harness.clock.waits.isEmpty, "a permanent failure is not retried")
        #expect(try server.records().isEmpty)
        #expect(!harness.logs.text.contains("wrong-secret"))
    }

    @Test func serverDownIsTransientWithinTheRetryBudget() throws {
        let port = try closedPort()
        let harness = NotifierHarness()
        let notifier = try harness.make(smtpEntry(port: port, extra: ["max_retry_seconds": 1.5]))
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == true)
        #expect(error?.message.contains("stay queued") == true)
        #expect(harness.clock.waits.count == 2, "two backoffs fit in 1.5 s, a third does not: \(harness.clock.waits)")
        #expect(harness.logs.text.contains("retrying in"), "transient failures are retried: \(harness.logs.text)")
    }

    @Test func starttlsRequiredAgainstAServerWithoutItIsRefused() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--user", "alerts", "--password", "pw"]); defer { server.stop() }
        var harness = NotifierHarness()
        harness.environment = ["SMTP_PW": "pw"]
        let notifier = try harness.make(smtpEntry(port: server.port, extra: [
            "starttls": "required", "username": "alerts", "password_env": "SMTP_PW"]))
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("STARTTLS") == true)
        #expect(try server.records().isEmpty)
    }

    @Test func untrustedCertificateIsRefusedUnlessVerificationIsSkipped() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile]); defer { server.stop() }
        let harness = NotifierHarness()
        let strict = try harness.make(smtpEntry(port: server.port, extra: ["starttls": "required"]))
        let error = expectNotifierError { try strict.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == false)
        #expect(try server.records().isEmpty)

        let lax = try harness.make(smtpEntry(port: server.port, extra: ["starttls": "required", "insecure_skip_verify": true]))
        #expect(harness.logs.text.contains("NOT verified"))
        #expect(lax.description.contains("NOT verified"))
        try lax.deliver(harness.batch(users: ["u@example.org"]))
        #expect(try server.records().count == 1)
    }

    @Test(arguments: [(450, true), (550, false)])
    func recipientRejectionsAreClassified(code: Int, transient: Bool) throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--reject-rcpt", "\(code)"]); defer { server.stop() }
        let harness = NotifierHarness()
        let notifier = try harness.make(smtpEntry(port: server.port, extra: ["max_retry_seconds": 0.8]))
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == transient)
        #expect(error?.message.contains("reply \(code)") == true, "\(error?.message ?? "")")
        #expect(harness.logs.text.contains("retrying in") == transient)
    }
}

@Suite("smtp notifier options")
struct SMTPNotifierOptionTests {
    private let base: [String: Any] = ["type": "smtp", "url": "smtp://mail.example.org:587", "from": "relay@example.org",
                                       "to": ["admin@example.org"]]

    private func with(_ extra: [String: Any]) -> [String: Any] { base.merging(extra) { _, new in new } }

    @Test func secretsComeFromEnvOrFileAndNeverShow() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try "file-secret-pw\n".write(toFile: dir.path("pw"), atomically: true, encoding: .utf8)
        var harness = NotifierHarness()
        harness.environment = ["PW": "env-secret-pw"]
        harness.baseDirectory = dir.url.path
        let fromEnv = try harness.make(with(["username": "alerts", "password_env": "PW"]))
        #expect(fromEnv.description.contains("$PW"))
        #expect(!fromEnv.description.contains("env-secret-pw"))
        #expect(!String(reflecting: fromEnv).contains("env-secret-pw"))
        var dumped = ""
        dump(fromEnv, to: &dumped)
        #expect(!dumped.contains("env-secret-pw"))
        let fromFile = try harness.make(with(["username": "alerts", "password_file": "pw"]))
        #expect(!fromFile.description.contains("file-secret-pw"))
        let smtp = try #require(fromFile as? SMTPNotifier)
        #expect(smtp.options.password?.reveal == "file-secret-pw", "the trailing newline is dropped")
        #expect(smtp.options.starttls == .required, "required is the default for a remote host")
    }

    @Test func configErrorsNameTheOption() throws {
        var harness = NotifierHarness()
        harness.environment = ["EMPTY": ""]
        let cases: [([String: Any], String)] = [
            (with(["username": "alerts", "password_env": "MISSING_VAR"]), "$.notifiers[0].password_env"),
            (with(["username": "alerts", "password_env": "EMPTY"]), "$.notifiers[0].password_env"),
            (with(["username": "alerts", "password_file": "/nonexistent/pw"]), "$.notifiers[0].password_file"),
            (with(["username": "alerts", "password": "inline"]), "$.notifiers[0].password"),
            (with(["username": "alerts"]), "$.notifiers[0].username"),
            (with(["starttls": "off"]), "$.notifiers[0].starttls"),
            (with(["starttls": "maybe"]), "$.notifiers[0].starttls"),
            (with(["url": "http://mail.example.org"]), "$.notifiers[0].url"),
            (with(["url": "smtp://user:pw@mail.example.org"]), "$.notifiers[0].url"),
            (with(["to": ["admin@example.org\r\nRCPT TO:<evil@example.com>"]]), "$.notifiers[0].to[0]"),
            (with(["from": "Relay <relay@example.org>"]), "$.notifiers[0].from"),
            (with(["to": []]), "$.notifiers[0].to"),
        ]
        for (entry, path) in cases {
            let error = harness.configError(entry)
            #expect(error?.path == path, "\(entry) gave \(String(describing: error))")
        }
        #expect(harness.configError(with(["username": "alerts", "password_env": "MISSING_VAR"]))?.message.contains("MISSING_VAR is not set") == true)
    }

    @Test func localServersMayGoWithoutTLS() throws {
        let harness = NotifierHarness()
        for host in ["127.0.0.1", "localhost", "[::1]"] {
            let notifier = try harness.make(with(["url": "smtp://\(host):25"]))
            #expect((notifier as? SMTPNotifier)?.options.starttls == .off, "\(host)")
        }
        let explicit = try harness.make(with(["url": "smtp://127.0.0.1:25", "starttls": "required"]))
        #expect((explicit as? SMTPNotifier)?.options.starttls == .required)
    }
}
