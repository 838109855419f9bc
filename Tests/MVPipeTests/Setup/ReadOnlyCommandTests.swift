import Foundation
import Testing

/// `counts` and `explain` only look: they read the sources into a scratch copy and never create, write or lock the
/// state, so an admin running them as root leaves nothing that cron's account cannot open. When the state does
/// belong to another account, the error says who owns it and how to fix it.
@Suite("setup: read-only commands are read-only")
struct ReadOnlyCommandTests {
    @Test func countsAndExplainAsRootOnAFreshConfigCreateNoStateAndALaterUnprivilegedRunWorks() throws {
        let site = try SetupSite()
        try site.log(["anna@example.org": 5, "bert@example.org": 1])
        let counts = try site.mvpipe("counts", ["--day", "2026-11-20", "--now", "2026-11-20T18:00"])
        #expect(counts.status == 0, "\(counts.stderr)")
        #expect(counts.stdout.contains("anna@example.org"), "\(counts.stdout)")
        let explain = try site.mvpipe("explain", ["anna@example.org", "--now", "2026-11-20T18:00"])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("FIRES"), "\(explain.stdout)")
        #expect(!FileManager.default.fileExists(atPath: site.statePath), "no state file")
        #expect(!FileManager.default.fileExists(atPath: site.statePath + ".lock"), "no lock file")

        let run = try Unprivileged.run(["run", "--config", site.config, "--now", "2026-11-20T18:00"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("anna@example.org"), "the run counted from the start: \(run.stdout)")
    }

    @Test func countsAndExplainLeaveAnExistingStateByteForByte() throws {
        let site = try SetupSite()
        try site.log(["anna@example.org": 2])
        #expect(try site.mvpipe("run", ["--now", "2026-11-20T12:00"]).status == 0)
        let before = try #require(site.stateStamp())
        try site.log(["anna@example.org": 2, "carl@example.org": 6])
        let counts = try site.mvpipe("counts", ["--now", "2026-11-20T18:00"])
        #expect(counts.status == 0, "\(counts.stderr)")
        #expect(counts.stdout.contains("carl@example.org"), "new lines are read: \(counts.stdout)")
        #expect(try site.mvpipe("explain", ["carl@example.org", "--now", "2026-11-20T18:00"]).status == 0)
        let after = try #require(site.stateStamp())
        #expect(after.0 == before.0, "bytes unchanged")
        #expect(after.1 == before.1, "mtime unchanged")
        // The checkpoint did not move: the next run still reads carl's lines and alerts.
        let run = try site.mvpipe("run", ["--now", "2026-11-20T18:00"])
        #expect(run.stdout.contains("carl@example.org"), "\(run.stdout)")
    }

    @Test func aStateRootCreatedSaysWhoOwnsItAndHowToFixIt() throws {
        guard Unprivileged.asRoot else { return }  // only root can make a file another account cannot write
        let site = try SetupSite()
        try site.log(["anna@example.org": 1])
        #expect(try site.mvpipe("run", ["--now", "2026-11-20T12:00"]).status == 0)  // as root: root-owned state
        let run = try Unprivileged.run(["run", "--config", site.config, "--now", "2026-11-20T18:00"])
        #expect(run.status == 74, "\(run.stderr)")
        #expect(run.stderr.contains("owned by root"), "\(run.stderr)")
        #expect(run.stderr.contains("sudo -u root"), "\(run.stderr)")
        #expect(run.stderr.contains("chown -R nobody: \(site.dir.path)"), "\(run.stderr)")
    }
}
