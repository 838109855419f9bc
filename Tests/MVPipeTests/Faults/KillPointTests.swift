import Foundation
import Pipeline
import Testing

/// The crash switch the fault tests kill mvpipe with (`MVPIPE_TEST_KILL_AT`, see `TestKillPoint`): it kills where
/// it says, a point never reached leaves the run alone, and a malformed value is refused before anything runs.
@Suite("test kill points") struct KillPointTests {
    struct Setup {
        let dir: TemporaryDirectory
        let arguments: [String]

        init() throws {
            dir = try TemporaryDirectory("mvpipe-killpoint")
            let archive = try ArchiveBuilder(root: dir.file("archive"))
            try archive.add(300, sender: "bulk@example.org", on: Day("2026-11-25")!)
            let config = try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite")),
                                              to: dir.file("pipeline.json"))
            arguments = ["run", "--config", config, "--now", "2026-11-25T16:00"]
        }

        var state: StateFile { StateFile(path: dir.file("state.sqlite")) }
    }

    @Test func eachPointKillsTheRunWhereItSays() throws {
        // Commits of this run: the archive's counts, the saved alert, the console's delivery record.
        let s = try Setup()
        let afterCounts = KillPoint(.commit, 1)
        let first = try CLIRunner.run(s.arguments, environment: afterCounts.environment)
        #expect(afterCounts.killed(first), "status \(first.status), stderr: \(first.stderr)")
        #expect(try s.state.volumes().values.reduce(0, +) == 300)
        #expect(try s.state.alerts().isEmpty)

        let printedNotRecorded = KillPoint(.delivered, 1)
        let second = try CLIRunner.run(s.arguments, environment: printedNotRecorded.environment)
        #expect(printedNotRecorded.killed(second), "status \(second.status), stderr: \(second.stderr)")
        #expect(second.stdout.contains("bulk@example.org: 300 messages"), "the console had printed the alert")
        #expect(try s.state.alerts() == ["bulk@example.org 2026-11-25 #1"])
        #expect(try s.state.delivered(to: "console").isEmpty)

        // Not reached (this run commits three times): the run completes.
        let third = try CLIRunner.run(s.arguments, environment: KillPoint(.commit, 4).environment)
        #expect(third.status == 0 && third.signal == nil, "stderr: \(third.stderr)")
        #expect(try s.state.delivered(to: "console") == s.state.alertIDs())
    }

    @Test(arguments: ["", "commit", "commit:0", "commit:-1", "commit:x", "read:1:2", "exploded:1"])
    func aMalformedKillPointIsRefused(value: String) throws {
        let s = try Setup()
        let result = try CLIRunner.run(s.arguments, environment: [TestKillPoint.variable: value])
        #expect(result.status == 64)
        #expect(result.stderr.contains("\(TestKillPoint.variable)=\(value) is not POINT:N"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.dir.file("state.sqlite")), "nothing ran")
    }
}
