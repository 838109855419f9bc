import Foundation
import Testing

/// The README's containment snippet ("Postfix setup (main.cf / master.cf)") on a real Postfix (``PostfixInstance``, whose submission service
/// uses exactly those lines): a login listed in the `check_sasl_access` map, or an envelope sender listed in the
/// `check_sender_access` map, has its next message put in the hold queue after `postfix reload`, while everyone
/// else's mail is delivered; and `postmap -q` answers for listed keys only.
@Suite(.enabled(if: PostfixInstance.enabled, PostfixInstance.skipReason), .serialized, .postfixInstance)
struct PostfixHoldSnippetTests {
    @Test func aListedLoginIsHeldAfterReloadWhileOthersAreDelivered() throws {
        let postfix = try #require(PostfixInstance.current)
        try postfix.writeMap(postfix.saslMap, [])
        try postfix.writeMap(postfix.senderMap, [])
        try postfix.reload()
        let before = try postfix.send(as: "alice@example.org")
        try postfix.waitUntilDelivered(before)

        try postfix.writeMap(postfix.saslMap, ["alice@example.org HOLD mvpipe: alert hard-cap (test)"])
        try postfix.reload()
        let held = try postfix.send(as: "alice@example.org")
        let delivered = try postfix.send(as: "bob@example.org")
        try postfix.waitUntilSettled()
        try postfix.waitUntilHeld(held)
        try postfix.waitUntilDelivered(delivered)
        #expect(try postfix.queueName(of: held) == "hold")
        #expect(try postfix.queueName(of: delivered) == nil)
        #expect(postfix.log().contains("hold: RCPT from localhost[127.0.0.1]: <alice@example.org>: SASL login name mvpipe: alert hard-cap (test)"),
                "\(postfix.logTail())")

        // Listed by login only: alice's address as the envelope sender of another login passes.
        let otherLogin = try postfix.send(as: "carol@example.org", from: "alice@example.org")
        try postfix.waitUntilDelivered(otherLogin)
    }

    @Test func aListedEnvelopeSenderIsHeld() throws {
        let postfix = try #require(PostfixInstance.current)
        try postfix.writeMap(postfix.saslMap, [])
        try postfix.writeMap(postfix.senderMap, ["carol@example.org HOLD mvpipe: alert hard-cap (test)"])
        try postfix.reload()
        let held = try postfix.send(as: "bob@example.org", from: "carol@example.org")
        let delivered = try postfix.send(as: "bob@example.org")
        try postfix.waitUntilSettled()
        try postfix.waitUntilHeld(held)
        try postfix.waitUntilDelivered(delivered)
        #expect(try postfix.queueName(of: held) == "hold")
    }

    @Test func postmapAnswersForListedKeysOnly() throws {
        let postfix = try #require(PostfixInstance.current)
        try postfix.writeMap(postfix.saslMap, ["alice@example.org HOLD mvpipe: alert hard-cap (test)"])
        #expect(try postfix.lookup("alice@example.org", in: postfix.saslMap) == "HOLD mvpipe: alert hard-cap (test)")
        #expect(try postfix.lookup("bob@example.org", in: postfix.saslMap) == nil)
        #expect(try postfix.lookup("alice", in: postfix.saslMap) == nil)
        try postfix.writeMap(postfix.saslMap, [])
        #expect(try postfix.lookup("alice@example.org", in: postfix.saslMap) == nil)
    }

    /// The README's snippet is what this instance runs: its main.cf line (paths aside) and the submission
    /// service's `-o` lines (TLS aside: off on loopback).
    @Test func theReadmeSnippetIsWhatTheInstanceRuns() throws {
        let postfix = try #require(PostfixInstance.current)
        let readme = try String(contentsOfFile: ToolRunner.repositoryRoot + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### Postfix setup (main.cf / master.cf)").dropFirst().first)
        let lines = section.components(separatedBy: "\n### ")[0].split(separator: "\n").map(String.init)
        let mainLine = try #require(lines.first { $0.hasPrefix("mua_sender_restrictions = ") })
        let mainCf = try String(contentsOfFile: postfix.config + "/main.cf", encoding: .utf8)
        #expect(mainCf.contains(mainLine.replacingOccurrences(of: "/etc/postfix/", with: postfix.config + "/")), "\(mainLine)")
        let masterCf = try String(contentsOfFile: postfix.config + "/master.cf", encoding: .utf8)
        let options = lines.filter { $0.hasPrefix("  -o ") && !$0.contains("smtpd_tls_security_level") }
        #expect(options.count >= 7)
        for option in options { #expect(masterCf.contains(option + "\n"), "master.cf lacks \(option)") }
    }
}
