import Foundation
import Testing

/// `mvpipe counts` on exim-log sources over the real Exim captures, through the built binary.
@Suite struct EximLogEndToEndTests {
    @Test(arguments: EximFixtures.runs)
    func perLoginCountsEqualWhatWasSent(_ run: String) throws {
        let harness = try EximFixtures.harness(run)
        try FileManager.default.copyItem(atPath: EximFixtures.file(run, "mainlog"), toPath: harness.file("mainlog"))
        let first = try harness.run(day: EximFixtures.day)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try MaillogHarness.parse(first) == EximFixtures.expected(run, identity: "login"))
        // Every line was understood: none skipped as unparsable or unusable.
        #expect(!first.stderr.contains("skipped"), "\(first.stderr)")
        // A second run reads nothing new and counts nothing twice.
        #expect(try harness.counts(day: EximFixtures.day) == EximFixtures.expected(run, identity: "login"))
    }

    /// Senders as sent with `lowercase: false`; lower-cased by default (`"bounces A=...` becomes `"bounces a=...`).
    @Test(arguments: EximFixtures.runs)
    func perSenderCountsEqualWhatWasSent(_ run: String) throws {
        let expected = try EximFixtures.expected(run, identity: "sender")
        let exact = try EximFixtures.harness(run, identity: "sender", lowercase: false)
        try FileManager.default.copyItem(atPath: EximFixtures.file(run, "mainlog"), toPath: exact.file("mainlog"))
        #expect(try exact.counts(day: EximFixtures.day) == expected)
        let lowered = try EximFixtures.harness(run, identity: "sender")
        try FileManager.default.copyItem(atPath: EximFixtures.file(run, "mainlog"), toPath: lowered.file("mainlog"))
        #expect(try lowered.counts(day: EximFixtures.day) == Dictionary(uniqueKeysWithValues: expected.map { ($0.key.lowercased(), $0.value) }))
    }

    /// The rejectlog repeats rejections and failed logins; read with the mainlog it must add nothing.
    @Test func rejectlogAddsNothing() throws {
        let harness = try EximFixtures.harness("all", paths: ["mainlog", "rejectlog"])
        try FileManager.default.copyItem(atPath: EximFixtures.file("all", "mainlog"), toPath: harness.file("mainlog"))
        try FileManager.default.copyItem(atPath: EximFixtures.file("all", "rejectlog"), toPath: harness.file("rejectlog"))
        #expect(try harness.counts(day: EximFixtures.day) == EximFixtures.expected("all", identity: "login"))
    }

    /// The capture cut into three runs with Debian's rotation in between (mainlog → mainlog.1 → mainlog.2.gz): the
    /// deferred message's last delivery, its `Completed` and several messages' deliveries come runs after their
    /// arrival, in another file.
    @Test(arguments: ["default", "all"])
    func incrementalAcrossRunsAndRotation(_ run: String) throws {
        let harness = try EximFixtures.harness(run)
        let lines = try String(contentsOfFile: EximFixtures.file(run, "mainlog"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 + "\n" }
        let cuts = [lines.count * 2 / 5, lines.count * 4 / 5]
        try harness.write("mainlog", lines[..<cuts[0]].joined())
        let early = try harness.counts(day: EximFixtures.day)
        #expect(!early.isEmpty)
        // Rotation: mainlog → mainlog.1 after more lines, a fresh mainlog.
        try harness.append("mainlog", lines[cuts[0]..<cuts[1]].joined())
        try harness.move("mainlog", "mainlog.1")
        try harness.write("mainlog", "")
        _ = try harness.counts(day: EximFixtures.day)
        // Next rotation, with Debian's delaycompress: mainlog.1 → mainlog.2.gz, mainlog → mainlog.1; the rest is
        // written to a fresh mainlog, the last line only half.
        try harness.move("mainlog.1", "mainlog.2")
        try harness.gzip("mainlog.2")
        try harness.move("mainlog", "mainlog.1")
        let rest = lines[cuts[1]...].joined()
        let cut = rest.index(rest.endIndex, offsetBy: -20)
        try harness.write("mainlog", String(rest[..<cut]))
        _ = try harness.counts(day: EximFixtures.day)
        try harness.append("mainlog", String(rest[cut...]))
        #expect(try harness.counts(day: EximFixtures.day) == EximFixtures.expected(run, identity: "login"))
    }
}
