import Foundation
import Testing

/// `mvpipe demo` shows what an admin triages with: the most severe first, client addresses, what to try next.
@Suite struct DemoEvidenceTests {
    @Test func demoListsMostSevereFirstWithAddressesAndNextSteps() throws {
        let dir = try TemporaryDirectory()
        let result = try CLIRunner.run(["demo", "--directory", dir.file("demo")])
        #expect(result.status == 0, "\(result.stderr)")
        let users = EvidenceHarness.headlines(result).map { String($0.split(separator: ":")[0]) }
        // j.doe 640 / allowed 100, m.smith 405 / 100, events 2400 recipients / 1000, bert 130 / 100.
        #expect(users == ["- j.doe@example.org", "- m.smith@example.net", "- events@example.net", "- bert@example.org"], "\(result.stdout)")
        #expect(result.stdout.contains("    from: 203.0.113.77 ("), "\(result.stdout)")
        #expect(result.stdout.contains("3 of 4 address(es) NEW: never seen with this login"), "\(result.stdout)")
        #expect(result.stdout.contains("fired: recipients-cap: recipients: 2400 > limit 1000"), "\(result.stdout)")
        #expect(result.stdout.contains("The demo folder stays: \(dir.file("demo"))"))
        #expect(result.stdout.contains("mvpipe explain --config \(dir.file("demo"))/pipeline.json m.smith@example.net"))

        let explain = try CLIRunner.run(["explain", "--config", dir.file("demo/pipeline.json"), "m.smith@example.net"])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("  203.0.113.77 "), "\(explain.stdout)")

        let temporary = try CLIRunner.run(["demo"])
        #expect(temporary.status == 0, "\(temporary.stderr)")
        #expect(temporary.stdout.contains("is removed now; run `mvpipe demo --keep` to keep it"), "\(temporary.stdout)")
        #expect(temporary.stdout.contains("mvpipe explain --config DEMO/pipeline.json m.smith@example.net"))
    }
}
