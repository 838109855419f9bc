import Foundation
import Testing
@testable import Sources

/// What scripts/postfix-lab-capture.sh sent (Tests/Fixtures/postfix/expected.json).
struct LogParseExpectation: Decodable {
    struct Counts: Decodable, Equatable {
        var messages: Int
        var recipients: Int
    }
    var users: [String: Counts]
    var failedLogins: Int
    var pickupMessages: Int
    var unauthenticatedInbound: Int
    var files: [String]
}

/// Tests/Fixtures/postfix: logs written by a real Postfix (scripts/postfix-lab-capture.sh) and what was sent.
let logParseFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/postfix")

func loadLogParseExpectation() throws -> LogParseExpectation {
    try JSONDecoder().decode(LogParseExpectation.self, from: Data(contentsOf: logParseFixtures.appendingPathComponent("expected.json")))
}

/// Per-user totals of one log, counted the way mvpipe will.
struct LogParseTally {
    var perUser: [String: LogParseExpectation.Counts] = [:]
    var failedLogins = 0
    var pickups = 0
    var unauthenticated = 0
    var malformed = 0
    var lines = 0
    var styles: Set<LogTimestamp.Style> = []
}

func logParseTally(_ data: Data) -> LogParseTally {
    var t = LogParseTally()
    var owner: [QueueID: String] = [:]
    var queued: Set<QueueID> = []
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        let all = raw.bindMemory(to: UInt8.self)
        var start = 0
        while start < all.count {
            var end = start
            while end < all.count && all[end] != 0x0A { end += 1 }
            let line = UnsafeBufferPointer(rebasing: all[start..<end])
            start = end + 1
            t.lines += 1
            let parsed = PostfixLine.parse(line)
            if let s = parsed.timestamp?.style { t.styles.insert(s) }
            switch parsed.event {
            case let .smtpdClient(q, _, _, _, user):
                if let range = user {
                    let user = LogBytes(line, range)
                    if owner[q] == nil {
                        owner[q] = user.escaped
                        t.perUser[user.escaped, default: .init(messages: 0, recipients: 0)].messages += 1
                    }
                } else {
                    t.unauthenticated += 1
                }
            case let .qmgrQueued(q, _, _, nrcpt):
                if !queued.contains(q) {
                    queued.insert(q)
                    if let u = owner[q] { t.perUser[u]!.recipients += nrcpt }
                }
            case .pickup:
                t.pickups += 1
            case .other:
                let text = String(decoding: line, as: UTF8.self)
                if text.contains("authentication failed") && text.contains("sasl_username=") { t.failedLogins += 1 }
            case .qmgrRemoved:
                break
            case .malformed:
                t.malformed += 1
            }
        }
    }
    return t
}

@Suite struct PostfixFixtureParseTests {
    @Test func expectedListsFixtures() throws {
        let e = try loadLogParseExpectation()
        #expect(e.files.count == 3)
        #expect(e.users.count == 3)
    }

    @Test(arguments: ["postfix-maillog_file.log", "postfix-rsyslog-rfc3339.log", "postfix-rsyslog-traditional.log"])
    func perUserCountsMatch(_ file: String) throws {
        let e = try loadLogParseExpectation()
        let data = try Data(contentsOf: logParseFixtures.appendingPathComponent(file))
        let t = logParseTally(data)
        #expect(t.lines > 50)
        #expect(t.malformed == 0)
        #expect(t.perUser == e.users)
        #expect(t.failedLogins == e.failedLogins)
        #expect(t.pickups == e.pickupMessages)
        #expect(t.unauthenticated == e.unauthenticatedInbound)
        switch file {
        case "postfix-rsyslog-rfc3339.log": #expect(t.styles == [.rfc3339])
        default: #expect(t.styles.isSubset(of: [.traditional, .zeroPadded]) && !t.styles.isEmpty)
        }
    }

    @Test func maillogFileUsesLongQueueIDs() throws {
        let data = try Data(contentsOf: logParseFixtures.appendingPathComponent("postfix-maillog_file.log"))
        var long = 0
        var short = 0
        for line in data.split(separator: 0x0A) {
            if let q = PostfixLine.parse(Array(line)).event.queueID { if q.isLong { long += 1 } else { short += 1 } }
        }
        #expect(long > 20 && short == 0)
    }
}
