import CCurl
@testable import Notifiers
import Foundation
import Testing

/// A realistic alert: CRLF line endings, a dot-leading line (dot-stuffing)
/// and UTF-8 in the body.
private let alertMessage = Array([
    "From: mvpipe <alerts@example.org>",
    "To: admin@example.net",
    "Subject: [mvpipe] queue size 1234 on mx1",
    "Message-ID: <t1.mvpipe@example.org>",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Postfix queue grew to 1234 messages.",
    ".leading dot line",
    "..two dots",
    "Grüße — mvpipe",
    "",
].joined(separator: "\r\n").utf8)

private func request(port: Int, scheme: String = "smtp", tls: SMTPRequest.TLSMode, caFile: String? = nil,
                     username: String? = nil, password: String? = nil,
                     recipients: [String] = ["admin@example.net", "oncall@example.net"]) -> SMTPRequest {
    SMTPRequest(url: "\(scheme)://127.0.0.1:\(port)", tls: tls, username: username, password: password,
                mailFrom: "alerts@example.org", recipients: recipients, message: alertMessage,
                caFile: caFile, connectTimeout: 5, totalTimeout: 15)
}

@Suite("SMTP transport against a real aiosmtpd server")
struct CurlSMTPTests {
    @Test func starttlsWithAuthDeliversMessageIntact() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile,
                                                     "--user", "alerts", "--password", "s3cr:t p@ss"])
        defer { server.stop() }
        try request(port: server.port, tls: .required, caFile: tls.caFile,
                    username: "alerts", password: "s3cr:t p@ss").send()

        let msgs = try server.records()
        try #require(msgs.count == 1, "server stderr: \(server.stderr)")
        let m = msgs[0]
        #expect(m["mail_from"] as? String == "alerts@example.org")
        #expect(m["rcpt_tos"] as? [String] == ["admin@example.net", "oncall@example.net"])
        #expect(recordBytes(m, "data_b64") == alertMessage)
        #expect(m["tls"] as? Bool == true)
        #expect(m["auth_user"] as? String == "alerts")
    }

    @Test func implicitTLSDelivers() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile, "--implicit-tls",
                                                     "--user", "alerts", "--password", "pw"])
        defer { server.stop() }
        try request(port: server.port, scheme: "smtps", tls: .off, caFile: tls.caFile,
                    username: "alerts", password: "pw").send()
        let msgs = try server.records()
        try #require(msgs.count == 1, "server stderr: \(server.stderr)")
        #expect(msgs[0]["tls"] as? Bool == true)
        #expect(recordBytes(msgs[0], "data_b64") == alertMessage)
    }

    @Test func plainSMTPWithoutTLSDelivers() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir); defer { server.stop() }
        try request(port: server.port, tls: .off, recipients: ["admin@example.net"]).send()
        let msgs = try server.records()
        try #require(msgs.count == 1)
        #expect(msgs[0]["tls"] as? Bool == false)
        #expect(msgs[0]["rcpt_tos"] as? [String] == ["admin@example.net"])
        #expect(recordBytes(msgs[0], "data_b64") == alertMessage)
    }

    @Test func wrongPasswordIsPermanentLoginDenied() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile,
                                                     "--user", "alerts", "--password", "right"])
        defer { server.stop() }
        let error = #expect(throws: CurlError.self) {
            try request(port: server.port, tls: .required, caFile: tls.caFile, username: "alerts", password: "wrong").send()
        }
        #expect(error?.isLoginDenied == true)
        #expect(error?.code == Int(CURLE_LOGIN_DENIED.rawValue))
        #expect(error?.replyCode == 535)
        #expect(error?.isTransient == false)
        #expect(try server.records().isEmpty)
    }

    @Test func serverDownIsTransient() throws {
        let port = try closedPort()
        let error = #expect(throws: CurlError.self) {
            try request(port: port, tls: .required).send()
        }
        #expect(error?.code == Int(CURLE_COULDNT_CONNECT.rawValue))
        #expect(error?.replyCode == nil)
        #expect(error?.isTransient == true)
    }

    @Test func tlsRequiredWithoutStarttlsRefusesToSendInClear() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--user", "alerts", "--password", "pw"]); defer { server.stop() }
        let error = #expect(throws: CurlError.self) {
            try request(port: server.port, tls: .required, username: "alerts", password: "pw").send()
        }
        #expect(error?.code == Int(CURLE_USE_SSL_FAILED.rawValue))
        #expect(error?.isTransient == false)
        #expect(try server.records().isEmpty)
    }

    @Test func untrustedCertificateIsPermanentUnlessSkipped() throws {
        let tls = try TLSFiles.get()
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--cert", tls.certFile, "--key", tls.keyFile])
        defer { server.stop() }
        // No caFile: the throwaway CA is not in the system store.
        let error = #expect(throws: CurlError.self) {
            try request(port: server.port, tls: .required).send()
        }
        #expect(error?.code == Int(CURLE_PEER_FAILED_VERIFICATION.rawValue))
        #expect(error?.isTransient == false)
        #expect(try server.records().isEmpty)

        var insecure = request(port: server.port, tls: .required)
        insecure.insecureSkipVerify = true
        try insecure.send()
        #expect(try server.records().count == 1)
    }

    @Test func unsafeAddressesAreRejectedBeforeNetwork() throws {
        // Nothing listens here: a network attempt would fail with COULDNT_CONNECT instead.
        let port = try closedPort()
        let bad = ["admin@example.net\r\nRCPT TO:<evil@example.com>", "a@b\n", "a@b\r", "a\0@b", "<a@b>", "a b@c",
                   "Admin <a@b>", "a@b@c", "ab", "", "@b", "a@", "a@b\t"]
        for address in bad {
            let asRecipient = #expect(throws: CurlError.self) {
                try request(port: port, tls: .off, recipients: ["ok@example.net", address]).send()
            }
            #expect(asRecipient?.kind == .invalidRequest, "\(String(reflecting: address))")
            var fromBad = request(port: port, tls: .off)
            fromBad.mailFrom = address
            let asSender = #expect(throws: CurlError.self) { try fromBad.send() }
            #expect(asSender?.kind == .invalidRequest, "\(String(reflecting: address))")
            #expect(asSender?.isTransient == false)
        }
        let none = #expect(throws: CurlError.self) { try request(port: port, tls: .off, recipients: []).send() }
        #expect(none?.kind == .invalidRequest)
        #expect(throws: Never.self) { try SMTPRequest.validateAddress("first.last+tag@mail.example.org") }
    }

    @Test(arguments: [(450, true), (451, true), (550, false), (553, false)])
    func rcptRejectionCarriesReplyCode(code: Int, transient: Bool) throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--reject-rcpt", "\(code)"]); defer { server.stop() }
        let error = #expect(throws: CurlError.self) {
            try request(port: server.port, tls: .off, recipients: ["admin@example.net"]).send()
        }
        #expect(error?.replyCode == code)
        #expect(error?.isTransient == transient)
        #expect(try server.records().isEmpty)
    }

    @Test(arguments: [(451, true), (554, false)])
    func dataRejectionCarriesReplyCode(code: Int, transient: Bool) throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startSMTPServer(dir, args: ["--reject-data", "\(code)"]); defer { server.stop() }
        let error = #expect(throws: CurlError.self) {
            try request(port: server.port, tls: .off).send()
        }
        #expect(error?.replyCode == code)
        #expect(error?.isTransient == transient)
    }
}

@Suite("CurlError classification")
struct CurlErrorClassificationTests {
    @Test func descriptionMentionsCodeDetailAndReply() throws {
        let port = try closedPort()
        let error = #expect(throws: CurlError.self) {
            try SMTPRequest(url: "smtp://127.0.0.1:\(port)", mailFrom: "a@b.c", recipients: ["d@e.f"], message: []).send()
        }
        let text = error?.description ?? ""
        #expect(text.contains("curl error 7"))
        #expect(text.contains("transient"))
        #expect(!Curl.version.isEmpty)
    }
}
