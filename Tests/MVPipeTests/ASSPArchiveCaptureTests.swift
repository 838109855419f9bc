import Foundation
import Testing

/// `mvpipe counts` on the archive trees the real ASSP_ARC plugin wrote (Tests/Fixtures/assp, archive runs), against
/// what was sent (truth.json) and the plugin's documented rules (Tests/Fixtures/assp/README.md).
@Suite struct ASSPArchiveCaptureTests {
    static let archiveRuns = ASSPCapture.runs.filter { $0.archive != nil }.map(\.dir)

    /// What the out tree should hold per sender: relayed (outgoing) messages, lower-cased sender; with
    /// `freqNonSpam = n` only every n-th non-bounce one is collected, so archived; mail with an empty sender (and
    /// ASSP's dropped quoted senders) is no account and not counted, wherever the plugin put it.
    static func expected(_ run: ASSPCapture.Run) throws -> [String: MaillogCount] {
        let truth = try run.truth()
        let every = run.archive?.freqNonSpam ?? 1
        var counts: [String: MaillogCount] = [:]
        var collectable = 0
        for message in truth.accepted where message.direction == "outgoing" {
            let sender = truth.asspSender(of: message)
            guard !sender.isEmpty else { continue }  // a bounce to ASSP
            collectable += 1
            guard collectable % every == 0 else { continue }
            counts[sender, default: MaillogCount(messages: 0, recipients: nil)].messages += 1
        }
        return counts
    }

    /// A config with `assp-archive` on `root` laid out as `layout`.
    static func config(root: String, layout: String?, in dir: TemporaryDirectory) throws -> String {
        var source: [String: Any] = ["type": "assp-archive", "path": root]
        if let layout { source["layout"] = layout }
        return try ConfigFile.write(["timezone": "UTC", "state": dir.file("state.sqlite"), "sources": [source],
                                     "notifiers": [["type": "console"]]], to: dir.file("pipeline.json"))
    }

    static func counts(_ config: String) throws -> CLIRunner.Result {
        try CLIRunner.run(["counts", "--config", config, "--day", ASSPCapture.day, "--now", ASSPCapture.now, "--json", "--store-for-tests"])
    }

    @Test(arguments: archiveRuns)
    func realTreeCountsEqualWhatWasSent(_ dir: String) throws {
        let run = ASSPCapture.run(dir)
        let temp = try TemporaryDirectory()
        let root = run.folder.appendingPathComponent("archive/out").path
        let config = try Self.config(root: root, layout: run.archiveLayout, in: temp)
        let result = try Self.counts(config)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try MaillogHarness.parse(result) == Self.expected(run))
        #expect(try MaillogHarness.problems(result).isEmpty, "\(result.stdout)")
        // The empty-sender mail the plugin did archive is really there, and not counted: loose files in the day
        // folder when FROM ends the path, `unknown/` when it does not.
        if run.archive?.bouncesCollected == true {
            let layout = run.archiveLayout ?? ""
            let place = layout.hasSuffix("FROM") ? "\(root)/2026/12/02" : "\(root)/unknown/2026/12/02"
            let loose = try FileManager.default.contentsOfDirectory(atPath: place).filter { $0.hasSuffix(".eml") }
            #expect(loose.count == 2, "\(place): \(loose)")
        }
    }

    /// The plugin's layout is what ASSP_ARCoutPATH says: read with the wrong one, the sender-first tree has no day
    /// folders where they are looked for (and nothing is made up).
    @Test func theLayoutMustMatchASSPs() throws {
        let run = ASSPCapture.run("assp-2.4.5/archive-fromfirst")
        let temp = try TemporaryDirectory()
        let config = try Self.config(root: run.folder.appendingPathComponent("archive/out").path, layout: nil, in: temp)
        #expect(try MaillogHarness.parse(try Self.counts(config)).isEmpty)
    }

    /// Things ASSP_ARC does not write are not counted: hidden files (partial copies), subfolders of a sender
    /// folder, unpadded day folders, symbolic links. `X.eml.aes` beside `X.eml` (encrypted, plain copy not yet
    /// removed) is one message; a lone `X.eml.aes` is one. ASSP_ARC 2.07 cannot leave that pair on Linux (its
    /// openssl call fails: README), so the pair is added to a copy of the real encrypted-run tree.
    @Test func encryptedPairsAndStrayFiles() throws {
        let run = ASSPCapture.run("assp-2.4.5/archive-encrypt")
        let temp = try TemporaryDirectory()
        let root = temp.file("out")
        try FileManager.default.copyItem(atPath: run.folder.appendingPathComponent("archive/out").path, toPath: root)
        let alice = "\(root)/2026/12/02/alice@example.org"
        let files = try FileManager.default.contentsOfDirectory(atPath: alice).sorted()
        let first = try #require(files.first { $0.hasSuffix(".eml") })
        try temp.write("out/2026/12/02/alice@example.org/\(first).aes", "Salted__encrypted")
        try temp.write("out/2026/12/02/alice@example.org/Only_encrypted--77.eml.aes", "Salted__encrypted")
        try temp.write("out/2026/12/02/alice@example.org/.Quarterly_report--1.eml.swp", "partial")
        try temp.write("out/2026/12/02/alice@example.org/attachments/part.bin", "x")
        try temp.write("out/2026/12/2/alice@example.org/Unpadded--78.eml", "x")
        try FileManager.default.createSymbolicLink(atPath: "\(alice)/Link--79.eml", withDestinationPath: "\(alice)/\(first)")
        let config = try Self.config(root: root, layout: "YEAR/MONTH/DAY/FROM", in: temp)
        var expected = try Self.expected(run)
        expected["alice@example.org"]?.messages += 1  // the lone .eml.aes
        #expect(try MaillogHarness.parse(try Self.counts(config)) == expected)
    }
}

extension ASSPArchiveCaptureTests {
    /// Absence of evidence with the sender-first layout: a day whose folders vanished from every sender, and a root
    /// left empty (an unmounted share), fail the source (exit 66) instead of storing zero.
    @Test func aSenderFirstTreeThatVanishesFailsTheSource() throws {
        let run = ASSPCapture.run("assp-2.4.5/archive-fromfirst")
        let temp = try TemporaryDirectory()
        let root = temp.file("out")
        try FileManager.default.copyItem(atPath: run.folder.appendingPathComponent("archive/out").path, toPath: root)
        let config = try Self.config(root: root, layout: run.archiveLayout, in: temp)
        #expect(try MaillogHarness.parse(try Self.counts(config)) == Self.expected(run))
        for sender in try FileManager.default.contentsOfDirectory(atPath: root) {
            try FileManager.default.removeItem(atPath: "\(root)/\(sender)/2026/12/02")
        }
        let missing = try Self.counts(config)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no sender folder in \(root) has a folder for 2026-12-02"), "\(missing.stderr)")
        for sender in try FileManager.default.contentsOfDirectory(atPath: root) {
            try FileManager.default.removeItem(atPath: "\(root)/\(sender)")
        }
        let empty = try Self.counts(config)
        #expect(empty.status == 66)
        #expect(empty.stderr.contains("holds no sender folders (<sender>/YYYY/MM/DD/)"), "\(empty.stderr)")
    }
}
