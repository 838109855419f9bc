import Testing
@testable import Sources

/// The session rules of assp-log (ASSPConnectionGroup) on sequences the real runs show and ones they imply; the
/// real logs go through them in ASSPLogCaptureTests.
@Suite struct ASSPConnectionGroupTests {
    static func login(_ group: inout ASSPConnectionGroup, _ name: String, at time: Int64) {
        group.beginAuth(at: time)
        group.name(Array(name.utf8), at: time)
    }

    /// Whom a message was charged to (nil: no session that logged in) and whether that was ambiguous.
    struct Charged: Equatable, CustomStringConvertible {
        var login: String?
        var ambiguous: Bool
        init(_ login: String?, _ ambiguous: Bool) {
            self.login = login
            self.ambiguous = ambiguous
        }
        var description: String { "\(login ?? "-")\(ambiguous ? " (ambiguous)" : "")" }
    }

    static func send(_ group: inout ASSPConnectionGroup, _ id: String, from sender: String, at time: Int64) -> Charged {
        guard let result = group.attribute(message: Array(id.utf8), from: Array(sender.utf8), at: time, byLogin: true) else {
            return Charged(nil, false)
        }
        return Charged(result.session.owner.map { String(decoding: $0, as: UTF8.self) }, result.ambiguous)
    }

    /// workers2-authloguser: bob's and carol's AUTH lines on one worker, then both messages.
    @Test func parallelSessionsWithoutConnectionLines() {
        var group = ASSPConnectionGroup(stamp: 0)
        Self.login(&group, "bob@example.org", at: 1)
        Self.login(&group, "carol", at: 1)
        let charged1 = Self.send(&group, "m1-1-1", from: "bob@example.org", at: 2)
        #expect(charged1 == Charged("bob@example.org", true))
        let charged2 = Self.send(&group, "m1-1-2", from: "carol@example.org", at: 2)
        #expect(charged2 == Charged("carol", true))
    }

    /// A session that logged in and quit without mail, then another login from the same IP and worker: the
    /// message goes to the login that matches its sender, and is still reported as ambiguous.
    @Test func aLoginWithoutMailDoesNotTakeTheNextSessionsMessage() {
        var group = ASSPConnectionGroup(stamp: 0)
        Self.login(&group, "alice", at: 1)
        Self.login(&group, "bob", at: 60)
        let charged3 = Self.send(&group, "m1-1-1", from: "Bob@Example.org", at: 61)
        #expect(charged3 == Charged("bob", true))
        // Without a matching sender the earliest unsent login is charged (a spammer's sender matches nobody).
        var other = ASSPConnectionGroup(stamp: 0)
        Self.login(&other, "alice", at: 1)
        Self.login(&other, "bob", at: 60)
        let charged4 = Self.send(&other, "m1-1-1", from: "cheap-pills@spam.example", at: 61)
        #expect(charged4 == Charged("alice", true))
    }

    /// S01, S02, S03 one after the other on one worker: each session that sent mail is over when the next AUTH
    /// comes, so nothing is ambiguous, and S03's two messages are both alice's.
    @Test func sequentialSessionsAndSeveralMessagesPerSession() {
        var group = ASSPConnectionGroup(stamp: 0)
        Self.login(&group, "alice", at: 1)
        let charged5 = Self.send(&group, "m1-1-1", from: "alice@example.org", at: 1)
        #expect(charged5 == Charged("alice", false))
        Self.login(&group, "bob", at: 2)
        let charged6 = Self.send(&group, "m1-1-2", from: "info@example.org", at: 2)
        #expect(charged6 == Charged("bob", false))
        let charged7 = Self.send(&group, "m1-1-3", from: "other@example.org", at: 3)
        #expect(charged7 == Charged("bob", false))
        #expect(group.sessions.count == 1)
    }

    /// S09: a failed AUTH and a retry in the same session; S20: a failed AUTH, then unauthenticated mail.
    @Test func failedLogins() {
        var retry = ASSPConnectionGroup(stamp: 0)
        Self.login(&retry, "bob", at: 1)
        let refusedFirst = retry.refuseWaitingAuth(at: 1)
        #expect(refusedFirst)
        Self.login(&retry, "bob", at: 2)
        #expect(retry.sessions.count == 1)
        let charged8 = Self.send(&retry, "m1-1-1", from: "bob@example.org", at: 3)
        #expect(charged8 == Charged("bob", false))

        var refused = ASSPConnectionGroup(stamp: 0)
        Self.login(&refused, "mallory", at: 1)
        refused.answer(succeeded: false, at: 1)
        let refusedAgain = refused.refuseWaitingAuth(at: 1)
        #expect(!refusedAgain)  // [SMTP Error] 535 after "failed on": nothing waiting
        let charged9 = Self.send(&refused, "m1-1-1", from: "mallory@remote.example.com", at: 5)
        #expect(charged9 == Charged(nil, false))
    }

    /// With ConnectionLog: sessions are opened and closed by their lines; the AUTH goes to the open session that
    /// has not logged in (a guess when there are several, reported when it matters).
    @Test func connectionLines() {
        var group = ASSPConnectionGroup(stamp: 0)
        group.open(session: Array("A".utf8), at: 1)
        Self.login(&group, "alice", at: 1)
        let charged10 = Self.send(&group, "m1-1-1", from: "alice@example.org", at: 2)
        #expect(charged10 == Charged("alice", false))
        group.open(session: Array("B".utf8), at: 3)  // before A's Disconnected line
        group.close(session: Array("A".utf8), lastMessage: [], at: 3)
        // B sent without logging in: incoming mail, not alice's.
        let charged11 = Self.send(&group, "m1-1-2", from: "partner@remote.example.com", at: 4)
        #expect(charged11 == Charged(nil, false))
        group.close(session: Array("B".utf8), lastMessage: [], at: 5)
        #expect(group.isEmpty)
        // Two connections, one AUTH: which one logged in is a guess; a message then is ambiguous.
        group.open(session: Array("C".utf8), at: 6)
        group.open(session: Array("D".utf8), at: 6)
        Self.login(&group, "carol", at: 7)
        let charged12 = Self.send(&group, "m1-1-3", from: "x@remote.example.com", at: 8)
        #expect(charged12 == Charged("carol", true))
    }

    /// 1.x's [DONE] line names the session by its last message's ID.
    @Test func legacyDisconnectByLastMessage() {
        var group = ASSPConnectionGroup(stamp: 0)
        group.open(session: [], at: 1)
        group.open(session: [], at: 1)
        Self.login(&group, "alice", at: 2)
        Self.login(&group, "bob", at: 2)
        let charged14 = Self.send(&group, "m-1-6", from: "alice@example.org", at: 3)
        #expect(charged14.login == "alice")
        let charged15 = Self.send(&group, "m-1-7", from: "bob@example.org", at: 3)
        #expect(charged15.login == "bob")
        group.close(session: [], lastMessage: Array("m-1-6".utf8), at: 4)
        #expect(group.sessions.map(\.login) == [Array("bob".utf8)])
    }

    /// A made-up session (no connection lines) is over after an hour without a line.
    @Test func impliedSessionsExpire() {
        var group = ASSPConnectionGroup(stamp: 0)
        Self.login(&group, "alice", at: 0)
        let charged13 = Self.send(&group, "m1-1-1", from: "x@remote.example.com", at: ASSPConnectionGroup.impliedIdleSeconds + 1)
        #expect(charged13 == Charged(nil, false))
    }

    @Test func checkpointRoundTrip() throws {
        var group = ASSPConnectionGroup(stamp: 0)
        group.open(session: Array("561240AE3330".utf8), at: 1)
        Self.login(&group, "jörg", at: 2)
        _ = Self.send(&group, "m1-27117-01995", from: "joerg@example.org", at: 3)
        Self.login(&group, "o'brien", at: 4)
        var writer = CheckpointWriter()
        group.encode(to: &writer, user: -1)
        var reader = CheckpointReader(writer.bytes)
        let decoded = try ASSPConnectionGroup(decoding: &reader, user: { _ in -1 })
        #expect(decoded == group)
        #expect(reader.isAtEnd)
    }

    @Test func loginMatchesSender() {
        #expect(ASSPConnectionGroup.login(Array("carol".utf8), matches: Array("Carol@Example.org".utf8)))
        #expect(ASSPConnectionGroup.login(Array("bob@example.org".utf8), matches: Array("BOB@example.org".utf8)))
        #expect(!ASSPConnectionGroup.login(Array("bob".utf8), matches: Array("bobby@example.org".utf8)))
        #expect(!ASSPConnectionGroup.login([], matches: []))
    }
}
