import Foundation
import Pipeline
import Testing

/// A state belongs to one config: a second config pointed at the same state file would sum the first one's sources
/// into its own users' counts (and rescan, or overwrite, a source of the same name). It is refused with exit 78;
/// `check` says whose the state is; `state adopt` moves a config (or a relay) legitimately.
@Suite struct StateOwnerTests {
    final class Site {
        let dir: TemporaryDirectory
        let state: String
        let archiveConfig: String
        let logConfig: String

        init() throws {
            dir = try TemporaryDirectory("mvpipe-owner")
            state = dir.file("state.sqlite")
            let archive = try ArchiveBuilder(root: dir.file("archive"))
            try archive.add(150, sender: "anna@example.org", on: Day("2026-11-25")!)
            archiveConfig = try ConfigFile.write(
                ConfigFile.archive(root: dir.file("archive"), state: state, timezone: "UTC"), to: dir.file("archive.json"))
            try dir.write("mail.log", (0..<120).map { PostfixLines.message($0, user: "anna@example.org", at: $0 * 10) }.joined()
                .replacingOccurrences(of: "2026-11-20", with: "2026-11-25"))
            logConfig = try ConfigFile.write([
                "timezone": "UTC", "state": state,
                "sources": [["type": "postfix-log", "paths": [dir.file("mail.log")]]],
                "detectors": [["type": "hard-cap", "limit": 200]],
                "notifiers": [["type": "console"]],
            ], to: dir.file("logs.json"))
        }

        func run(_ config: String) throws -> CLIRunner.Result {
            try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T16:00", "--json"])
        }
    }

    @Test func aSecondConfigOnOneStateFileIsRefused() throws {
        let site = try Site()
        let first = try site.run(site.archiveConfig)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try StateFixture.snapshot(site.state)

        // 150 in the archive plus 120 in the log would pass the log config's hard cap of 200 only if summed.
        let second = try site.run(site.logConfig)
        #expect(second.status == 78, "\(second.stderr)")
        #expect(second.stdout.isEmpty, "no alert from another config's counts: \(second.stdout)")
        #expect(second.stderr.contains(site.state), "\(second.stderr)")
        #expect(second.stderr.contains(site.archiveConfig), "names the config it belongs to: \(second.stderr)")
        #expect(second.stderr.contains("\"state\""), "says how to fix it: \(second.stderr)")
        #expect(try StateFixture.snapshot(site.state) == before, "nothing written")
        #expect(try CLIRunner.run(["counts", "--config", site.logConfig, "--day", "2026-11-25"]).status == 78)

        // check says it, for both configs.
        let checkOther = try CLIRunner.run(["check", "--config", site.logConfig])
        #expect(checkOther.status == 78, "\(checkOther.stdout)\(checkOther.stderr)")
        #expect((checkOther.stdout + checkOther.stderr).contains("belongs to \(site.archiveConfig)"))
        let checkOwner = try CLIRunner.run(["check", "--config", site.archiveConfig])
        #expect(checkOwner.status == 0, "\(checkOwner.stderr)")
        #expect(checkOwner.stdout.contains("belongs to this config"), "\(checkOwner.stdout)")
    }

    @Test func aMovedConfigIsAdoptedExplicitly() throws {
        let site = try Site()
        #expect(try site.run(site.archiveConfig).status == 0)
        let moved = site.dir.file("pipeline.json")
        try FileManager.default.moveItem(atPath: site.archiveConfig, toPath: moved)

        let refused = try site.run(moved)
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("mvpipe state adopt --config \(moved)"), "\(refused.stderr)")

        let adopt = try CLIRunner.run(["state", "adopt", "--config", moved])
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(adopt.stdout.contains(site.archiveConfig), "says whose it was: \(adopt.stdout)")
        let run = try CLIRunner.run(["run", "--config", moved, "--now", "2026-11-25T16:05", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        // The history came along: the alert of 16:00 is not raised again.
        #expect(run.stdout.isEmpty, "\(run.stdout)")
        // The old name is now the stranger.
        try FileManager.default.copyItem(atPath: moved, toPath: site.archiveConfig)
        #expect(try site.run(site.archiveConfig).status == 78)
    }
}
