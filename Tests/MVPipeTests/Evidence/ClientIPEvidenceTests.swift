import Foundation
import Testing

/// Where a login was used from: the client IPs of log sources, in the state and in every alert, new ones marked.
@Suite struct ClientIPEvidenceTests {
    /// A real Postfix capture (alice: 5 messages from 127.0.0.1 on 2026-11-29) on top of a history built in the same
    /// log: alice used 127.0.0.1 eight days before, and 198.51.100.9 only 40 days before; today she also sends from
    /// 203.0.113.66. The alert lists today's addresses, most messages first, and marks those not seen in 30 days.
    @Test(arguments: EvidenceHarness.stores)
    func alertShowsTodaysAddressesAndMarksNewOnes(_ store: String) throws {
        let h = try EvidenceHarness(store: store, detectors: [["type": "hard-cap", "limit": 8]])
        try h.send(2, user: "alice@example.org", on: "2026-10-20", from: "198.51.100.9")
        try h.send(3, user: "alice@example.org", on: "2026-11-21", from: "127.0.0.1")
        try h.append(String(contentsOf: logParseFixtures.appendingPathComponent("postfix-rsyslog-rfc3339.log"), encoding: .utf8))
        try h.send(7, user: "alice@example.org", on: "2026-11-29", from: "203.0.113.66", hour: 16)
        try h.send(1, user: "alice@example.org", on: "2026-11-29", from: "198.51.100.9", hour: 17)

        let run = try h.mvpipe(["run", "--now", "2026-11-29T18:00"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(EvidenceHarness.headlines(run).count == 1, "\(run.stdout)")
        #expect(run.stdout.contains("- alice@example.org: 13 messages on 2026-11-29"), "\(run.stdout)")
        #expect(run.stdout.contains("    from: 203.0.113.66 (7, NEW), 127.0.0.1 (5), 198.51.100.9 (1, NEW)"), "\(run.stdout)")
        #expect(run.stdout.contains("2 of 3 address(es) NEW: never seen with this login in the 30 days before"))

        // explain shows them too (from the state), and the --json record carries them.
        let explain = try h.mvpipe(["explain", "alice@example.org", "--now", "2026-11-29T18:30"])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("  203.0.113.66 7 NEW\n  127.0.0.1 5\n  198.51.100.9 1 NEW"), "\(explain.stdout)")
        let past = try h.mvpipe(["explain", "alice@example.org", "--day", "2026-11-21", "--now", "2026-11-29T18:30"])
        #expect(past.stdout.contains("  127.0.0.1 3 NEW"), "\(past.stdout)")

        // A later run on the same day that escalates keeps counting the addresses (nothing counted twice).
        try h.send(20, user: "alice@example.org", on: "2026-11-29", from: "203.0.113.66", hour: 19)
        let json = try h.mvpipe(["run", "--now", "2026-11-29T20:00", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains(#""client_ips":[{"ip":"203.0.113.66","messages":27,"new":true},{"ip":"127.0.0.1","messages":5,"new":false},{"ip":"198.51.100.9","messages":1,"new":true}]"#), "\(json.stdout)")
    }

    /// ASSP's message lines carry the client's address (a real ASSP 2.4.5 capture, clients on 127.0.0.x).
    @Test func asspLogAddressesReachTheAlert() throws {
        let capture = ASSPCapture.run("assp-2.4.5/verbose")
        let dir = try TemporaryDirectory("mvpipe-evidence")
        try FileManager.default.copyItem(atPath: capture.logPath, toPath: dir.file("maillog.txt"))
        let config = try ConfigFile.write([
            "timezone": "UTC", "state": dir.file("state.sqlite"),
            "sources": [["type": "assp-log", "paths": [dir.file("maillog.txt")], "date_format": capture.logDateFormat,
                         "local_domains": ["example.org"]]],
            "detectors": [["type": "hard-cap", "limit": 0]],
            "notifiers": [["type": "console"]],
        ], to: dir.file("pipeline.json"))
        let run = try CLIRunner.run(["run", "--config", config, "--now", ASSPCapture.now])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!EvidenceHarness.headlines(run).isEmpty, "\(run.stdout)")
        #expect(run.stdout.contains("    from: 127.0.0.21 ("), "\(run.stdout)")
    }

    /// Exim's arrival lines carry the client in `H=name (helo) [IP]:port`.
    @Test func eximArrivalAddressesReachTheAlert() throws {
        let dir = try TemporaryDirectory("mvpipe-evidence")
        let config = try ConfigFile.write([
            "timezone": "UTC", "state": dir.file("state.sqlite"),
            "sources": [["type": "exim-log", "paths": [dir.file("mainlog")]]],
            "detectors": [["type": "hard-cap", "limit": 2]],
            "notifiers": [["type": "console"]],
        ], to: dir.file("pipeline.json"))
        var log = ""
        for i in 0..<3 {
            log += "2026-11-29 10:00:0\(i) 1vAbC\(i)-000AbC-0\(i) <= bob@example.org H=laptop (helo.example) [203.0.113.7]:51234 P=esmtpsa A=plain:bob@example.org S=1234 id=\(i)@example.org for r\(i)@remote.test\n"
        }
        _ = try dir.write("mainlog", log)
        let run = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-29T11:00"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("    from: 203.0.113.7 (3, NEW)"), "\(run.stdout)")
    }
}
