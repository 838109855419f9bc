import Foundation
import Testing

/// `mvpipe counts` and `mvpipe run` on the maillog.txt of every real ASSP run in Tests/Fixtures/assp, against what
/// was sent (truth.json; ASSPCapture). The runs differ in ASSP version and logging settings (README there).
@Suite struct ASSPLogCaptureTests {
    /// Messages each run must report as ambiguous with identity `login`: where two sessions from one client IP
    /// with different logins were open at once on one worker. The three parallel sessions S04–S06 (alice, bob,
    /// carol from 127.0.0.25) got three workers in the 5-worker runs, two of them one worker in the `workers2`
    /// runs (bob's and carol's messages), and 1.10.1 logs no worker at all (all three; none in `noauthlog`,
    /// where no login is logged and all three are "authenticated" alike).
    static func ambiguous(_ run: ASSPCapture.Run) -> Int {
        if run.isLegacy { return run.authLogUser ? 3 : 0 }
        return run.numComWorkers == 2 ? 2 : 0  // 1.x logs no worker count (null in runs.json)
    }

    /// A harness with `assp-log` over a copy of the run's maillog.txt.
    static func harness(_ run: ASSPCapture.Run, identity: String, localDomains: [String] = ["example.org"]) throws -> MaillogHarness {
        var source: [String: Any] = ["type": "assp-log", "paths": ["maillog.txt"], "identity": identity,
                                     "date_format": run.logDateFormat]
        if !localDomains.isEmpty { source["local_domains"] = localDomains }
        let harness = try MaillogHarness(source: source)
        try FileManager.default.copyItem(atPath: run.logPath, toPath: harness.file("maillog.txt"))
        return harness
    }

    /// `mvpipe counts --json` on the capture day.
    static func counts(_ harness: MaillogHarness) throws -> CLIRunner.Result {
        try CLIRunner.run(["counts", "--config", harness.configPath, "--day", ASSPCapture.day, "--now", ASSPCapture.now, "--json", "--store-for-tests"])
    }

    /// The notes of the assp-log report in `--json` output.
    static func notes(_ result: CLIRunner.Result) throws -> [String] {
        try MaillogHarness.problems(result).flatMap { $0["notes"] as? [String] ?? [] }
    }

    /// The number at the start of the note that contains `phrase` (0 when there is none).
    static func leadingCount(_ notes: [String], _ phrase: String) -> Int {
        guard let note = notes.first(where: { $0.contains(phrase) }) else { return 0 }
        return Int(note.prefix { $0.isNumber }) ?? -1
    }

    static let ambiguityPhrase = "could have come from more than one session"
    static let noLoginPhrase = "ASSP logged no usable login"

    @Test(arguments: ASSPCapture.runs.map(\.dir))
    func perLoginCountsEqualWhatWasSent(_ dir: String) throws {
        let run = ASSPCapture.run(dir)
        let truth = try run.truth()
        let harness = try Self.harness(run, identity: "login")
        let result = try Self.counts(harness)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try MaillogHarness.parse(result) == truth.expectedLogCounts(login: true, loginsLogged: run.authLogUser,
                                                                            recipientsLogged: run.recipientsLogged))
        let notes = try Self.notes(result)
        #expect(Self.leadingCount(notes, Self.ambiguityPhrase) == Self.ambiguous(run), "\(notes)")
        // Without AUTHLogUser the admin is told, with the number of messages concerned.
        let withoutLogin = run.authLogUser ? 0 : truth.authenticatedMessages.count
        #expect(Self.leadingCount(notes, Self.noLoginPhrase) == withoutLogin, "\(notes)")
        if !run.authLogUser {
            let unnamed = truth.authenticatedMessages.filter { truth.asspSender(of: $0).isEmpty }.count
            #expect(notes.contains { $0.contains("\(unnamed) of them had an empty sender") }, "\(notes)")
        }
        // Every line was understood: nothing skipped.
        #expect(try MaillogHarness.problems(result).allSatisfy { ($0["skipped"] as? Int) == 0 }, "\(result.stdout)")
        // A second run reads nothing new and counts nothing twice.
        let again = try Self.counts(harness)
        #expect(try MaillogHarness.parse(again) == MaillogHarness.parse(result))
        #expect(try Self.notes(again).isEmpty)
    }

    @Test(arguments: ASSPCapture.runs.map(\.dir))
    func perSenderCountsEqualWhatWasSent(_ dir: String) throws {
        let run = ASSPCapture.run(dir)
        let harness = try Self.harness(run, identity: "sender")
        let result = try Self.counts(harness)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try MaillogHarness.parse(result) == run.truth().expectedLogCounts(login: false, loginsLogged: run.authLogUser,
                                                                                  recipientsLogged: run.recipientsLogged))
        // Charged to the sender, bob's and carol's messages are outgoing whichever session sent them.
        #expect(Self.leadingCount(try Self.notes(result), Self.ambiguityPhrase) == 0)
    }

    /// `mvpipe run` (the cron job) stores the same counts, and its `--json` output carries the ambiguity report.
    @Test(arguments: ASSPCapture.runs.map(\.dir))
    func runStoresTheCounts(_ dir: String) throws {
        let run = ASSPCapture.run(dir)
        let harness = try Self.harness(run, identity: "login")
        let result = try CLIRunner.run(["run", "--config", harness.configPath, "--now", ASSPCapture.now, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.leadingCount(try Self.notes(result), Self.ambiguityPhrase) == Self.ambiguous(run), "\(result.stdout)")
        let stored = try Self.counts(harness)
        #expect(try MaillogHarness.parse(stored) == run.truth().expectedLogCounts(login: true, loginsLogged: run.authLogUser,
                                                                                  recipientsLogged: run.recipientsLogged))
    }

    /// Without `local_domains` only mail of sessions that logged in counts in 2.x (ASSP does not log the
    /// direction); 1.x marks relayed mail `[LocalOK]`, so its unauthenticated outgoing mail counts too.
    @Test(arguments: ["assp-2.4.5/verbose", "assp-2.4.5/default", "assp-1.10.1/default", "assp-1.10.1/noauthlog"])
    func withoutLocalDomains(_ dir: String) throws {
        let run = ASSPCapture.run(dir)
        let harness = try Self.harness(run, identity: "login", localDomains: [])
        let result = try Self.counts(harness)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try MaillogHarness.parse(result) == run.truth().expectedLogCounts(
            login: true, loginsLogged: run.authLogUser, recipientsLogged: run.recipientsLogged,
            unauthenticatedOutgoing: run.isLegacy))
    }

    /// S20 logs in as `mallory` (refused), then sends unauthenticated mail in the same session. Even when that mail
    /// counts as outgoing (2.x, here: its sender's domain is declared local), it is the sender's, never `mallory`'s;
    /// the failure is seen on `[SMTP Error] 535` (default), `warning: SMTP authentication failed on` (ConnectionLog)
    /// and 1.x's `warning: SMTP authentication failed`.
    @Test(arguments: ["assp-2.4.5/authloguser", "assp-2.4.5/verbose", "assp-1.10.1/default"])
    func aFailedLoginNeverOwnsItsSession(_ dir: String) throws {
        let run = ASSPCapture.run(dir)
        let harness = try Self.harness(run, identity: "login", localDomains: ["example.org", "remote.example.com"])
        let counts = try MaillogHarness.parse(try Self.counts(harness))
        #expect(counts["mallory"] == nil)
        // 1.x says the message was not relayed ([MessageOK], not [LocalOK]): incoming, whatever local_domains say.
        #expect(counts["mallory@remote.example.com"]?.messages == (run.isLegacy ? nil : 1))
        // S09: bob's first AUTH failed, the retry in the same session succeeded: his message is his.
        #expect(counts["bob@example.org"]?.messages == 3)
    }

    /// Sessions and transactions open when a run ends are followed by the next run: the log is cut after each
    /// line in turn around the multi-message session S03 and the parallel sessions S04–S06, once with connection
    /// lines (verbose) and once without (authloguser, 1.x default).
    @Test(arguments: ["assp-2.4.5/verbose", "assp-2.4.5/authloguser", "assp-1.10.1/default"])
    func sessionsCarryOverBetweenRuns(_ dir: String) throws {
        let run = ASSPCapture.run(dir)
        let expected = try run.truth().expectedLogCounts(login: true, loginsLogged: true, recipientsLogged: run.recipientsLogged)
        let lines = try run.logLines()
        let first = try #require(lines.firstIndex { String(decoding: $0, as: UTF8.self).contains("user:alice") })
        let cuts = stride(from: first + 8, to: min(lines.count, first + 80), by: 9)
        for cut in cuts {
            let harness = try Self.harness(run, identity: "login")
            let head = lines[..<cut].reduce(into: [UInt8]()) { $0 += $1 + [0x0A] }
            let tail = lines[cut...].reduce(into: [UInt8]()) { $0 += $1 + [0x0A] }
            try harness.write("maillog.txt", bytes: head)
            #expect(try Self.counts(harness).status == 0)
            try harness.append("maillog.txt", String(decoding: tail, as: UTF8.self))
            #expect(try MaillogHarness.parse(try Self.counts(harness)) == expected, "cut after line \(cut)")
        }
    }

    /// ASSP rolls maillog.txt at midnight to YY-MM-DD.maillog.txt and starts a new one (with a byte-order mark):
    /// a session whose AUTH is in the old file and its message in the new one is still its login's.
    @Test func rotationInsideASession() throws {
        let run = ASSPCapture.run("assp-2.4.5/authloguser")
        let harness = try MaillogHarness(source: ["type": "assp-log", "paths": ["maillog.txt", "*.maillog.txt"],
                                                  "local_domains": ["example.org"]])
        let lines = try run.logLines()
        let cut = try #require(lines.firstIndex { String(decoding: $0, as: UTF8.self).contains("user:carol") }) + 1
        try harness.write("maillog.txt", bytes: lines[..<cut].reduce(into: [UInt8]()) { $0 += $1 + [0x0A] })
        #expect(try Self.counts(harness).status == 0)
        try harness.move("maillog.txt", "26-12-02.maillog.txt")
        try harness.write("maillog.txt", bytes: [0xEF, 0xBB, 0xBF] + lines[cut...].reduce(into: [UInt8]()) { $0 += $1 + [0x0A] })
        #expect(try MaillogHarness.parse(try Self.counts(harness))
                == run.truth().expectedLogCounts(login: true, loginsLogged: true, recipientsLogged: false))
    }

    /// A file in which nothing is recognised (here: a LogDateFormat that does not match) is reported, not a
    /// silent zero.
    @Test func aFileWithNothingRecognisedIsReported() throws {
        let run = ASSPCapture.run("assp-2.4.5/dateformat-de")
        let harness = try MaillogHarness(source: ["type": "assp-log", "paths": ["maillog.txt"]])
        try FileManager.default.copyItem(atPath: run.logPath, toPath: harness.file("maillog.txt"))
        let result = try Self.counts(harness)
        #expect(result.status == 0)
        #expect(try MaillogHarness.parse(result).isEmpty)
        // Only ASSP's stamp-less summary of repeated lines is read (as a line of no interest).
        let lines = try run.logLines().count
        let problem = try #require(try MaillogHarness.problems(result).first)
        #expect(problem["skipped"] as? Int == lines - 1)
        #expect((problem["notes"] as? [String])?.contains {
            $0.contains("only 1 of the \(lines) lines read were recognised") && $0.contains("date_format")
        } == true, "\(result.stdout)")
        // A file with no line of ASSP's at all.
        try harness.write("maillog.txt", "Dec  2 16:02:42 mx postfix/qmgr[1]: 4A1B2C3D4E: removed\n")
        let other = try Self.counts(harness)
        #expect(try Self.notes(other).contains { $0.contains("none of the 1 lines read was recognised") }, "\(other.stdout)")
    }
}

extension ASSPLogCaptureTests {
    /// Garbage between real lines is skipped and counted; a login that is not valid UTF-8 is not stored: its
    /// session's message counts for the envelope sender, and the run says so.
    @Test func badInputIsSkippedCountedAndReported() throws {
        let run = ASSPCapture.run("assp-2.4.5/authloguser")
        let harness = try Self.harness(run, identity: "login")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: run.logPath))
        bytes += Data("random garbage between lines\n".utf8) + Data([0, 0, 0, 0x0A])
        bytes += Data("Dec-02-26 23:50:00 [Worker_3] 198.51.100.9 info: authentication - plain is used\n".utf8)
        bytes += Data("Dec-02-26 23:50:00 [Worker_3] 198.51.100.9 info: authentication (PLAIN) realms - foruser:, user:ev".utf8)
            + Data([0xFF, 0xFE, 0x0A])
        bytes += Data("Dec-02-26 23:50:01 m1-27888-00001 [Worker_3] [MessageOK] 198.51.100.9 <eve@example.org> to: x@remote.example.com message ok [Hi] -> /opt/assp/notspam/Hi--99.eml\n".utf8)
        try bytes.write(to: URL(fileURLWithPath: harness.file("maillog.txt")))
        let result = try Self.counts(harness)
        var expected = try run.truth().expectedLogCounts(login: true, loginsLogged: true, recipientsLogged: false)
        expected["eve@example.org"] = MaillogCount(messages: 1, recipients: nil)
        #expect(try MaillogHarness.parse(result) == expected)
        let problem = try #require(try MaillogHarness.problems(result).first)
        #expect(problem["skipped"] as? Int == 3)
        let notes = problem["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("2 unparsable") && $0.contains("1 with an unusable name") }, "\(notes)")
        #expect(Self.leadingCount(notes, Self.noLoginPhrase) == 1, "\(notes)")
    }
}
