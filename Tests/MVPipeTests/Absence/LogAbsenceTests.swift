import Foundation
import Pipeline
import Testing

/// A log source that cannot see what it read before (the log folder unmounted or moved), or may not read what
/// it matches (the account is not in `adm`), fails: exit 66, `mvpipe_source_up 0`, a message naming what is
/// missing or unreadable and what to do, and nothing stored for that source on that run.
@Suite("logs: absence and unreadable files")
struct LogAbsenceTests {
    /// A postfix-log site in a folder the test account (nobody, when the tests run as root) may write.
    final class Site {
        let dir: TemporaryDirectory
        let config: String
        let state: StateFile

        init(paths: [String] = ["logs/mail.log*"]) throws {
            let dir = try TemporaryDirectory("mvpipe-logabsence")
            self.dir = dir
            chmod(dir.path, 0o755)
            Unprivileged.allowWrite(dir.path)
            try FileManager.default.createDirectory(atPath: dir.file("logs"), withIntermediateDirectories: false)
            config = try ConfigFile.write([
                "timezone": "UTC", "state": dir.file("state.sqlite"),
                "sources": [["type": "postfix-log", "paths": paths.map { dir.file($0) }]],
                "notifiers": [["type": "console"]],
            ], to: dir.file("pipeline.json"))
            chmod(config, 0o644)
            state = StateFile(path: dir.file("state.sqlite"))
        }

        /// `n` submissions of `user` from message number `first` on, on 2026-11-20.
        func messages(_ range: Range<Int>, user: String) -> String {
            range.map { PostfixLines.message($0, user: user, at: $0 * 10) }.joined()
        }

        /// `mvpipe run` at 2026-11-20T18:00 with metrics, as the unprivileged account when `unprivileged`.
        func run(unprivileged: Bool = false) throws -> CLIRunner.Result {
            let arguments = ["run", "--config", config, "--now", "2026-11-20T18:00", "--prometheus-textfile", dir.file("mvpipe.prom")]
            return unprivileged ? try Unprivileged.run(arguments) : try CLIRunner.run(arguments)
        }

        func metrics() throws -> PrometheusText {
            try PrometheusText(try String(contentsOfFile: dir.file("mvpipe.prom"), encoding: .utf8))
        }
    }

    @Test func aGlobThatMatchesNothingWhereItMatchedBeforeFailsTheSource() throws {
        let site = try Site()
        try site.dir.write("logs/mail.log", site.messages(0..<5, user: "anna@example.org"))
        #expect(try site.run().status == 0)
        #expect(try site.state.volumes()["postfix-log/2026-11-20/anna@example.org"] == 5)
        let before = try StateFixture.snapshot(site.state.path)

        // /var/log on a share that did not come back: the folder is there, empty.
        try FileManager.default.moveItem(atPath: site.dir.file("logs"), toPath: site.dir.file("share"))
        try FileManager.default.createDirectory(atPath: site.dir.file("logs"), withIntermediateDirectories: false)
        let run = try site.run()
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr.contains("no file matches \(site.dir.file("logs/mail.log*"))"), "\(run.stderr)")
        #expect(run.stderr.contains("read before"), "says what it read before: \(run.stderr)")
        #expect(run.stderr.contains("mounted"), "\(run.stderr)")
        #expect(try site.metrics().value("mvpipe_source_up", ["source": "postfix-log"]) == 0)
        #expect(try StateFixture.snapshot(site.state.path) == before, "checkpoint and counts untouched")

        // Back again, with more written meanwhile: read once, from where it stopped.
        try FileManager.default.removeItem(atPath: site.dir.file("logs"))
        try FileManager.default.moveItem(atPath: site.dir.file("share"), toPath: site.dir.file("logs"))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: site.dir.file("logs/mail.log")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(site.messages(5..<8, user: "anna@example.org").utf8))
        try handle.close()
        #expect(try site.run().status == 0)
        #expect(try site.state.volumes()["postfix-log/2026-11-20/anna@example.org"] == 8)
    }

    @Test func someUnreadableFilesFailTheSourceNamingThemAndStoreNothing() throws {
        let site = try Site()
        try site.dir.write("logs/mail.log", site.messages(0..<5, user: "anna@example.org"))
        try site.dir.write("logs/mail.log.1", site.messages(100..<103, user: "bert@example.org"))
        chmod(site.dir.file("logs/mail.log"), 0o644)
        Unprivileged.denyRead(site.dir.file("logs/mail.log.1"))

        let run = try site.run(unprivileged: true)
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr.contains(site.dir.file("logs/mail.log.1")), "names the unreadable file: \(run.stderr)")
        #expect(run.stderr.contains("Permission denied"), "\(run.stderr)")
        #expect(run.stderr.contains("adduser"), "says how to fix it: \(run.stderr)")
        #expect(!run.stderr.contains(site.dir.file("logs/mail.log") + " "), "the readable one is not blamed: \(run.stderr)")
        let m = try site.metrics()
        #expect(m.value("mvpipe_source_up", ["source": "postfix-log"]) == 0)
        #expect(m.value("mvpipe_run_exit_code") == 66)
        // Nothing of this source was stored: no counts (not even the readable file's), no checkpoint.
        #expect(try site.state.volumes().isEmpty)
        #expect(try StateFixture.snapshot(site.state.path)["source_checkpoint"]?.isEmpty == true)

        // Once the account may read it (adduser mvpipe adm), both files count, once.
        chmod(site.dir.file("logs/mail.log.1"), 0o644)
        #expect(try site.run(unprivileged: true).status == 0)
        #expect(try site.state.volumes() == ["postfix-log/2026-11-20/anna@example.org": 5, "postfix-log/2026-11-20/bert@example.org": 3])
    }

    @Test func everyMatchedFileUnreadableFailsTheSource() throws {
        let site = try Site(paths: ["logs/mail.log"])
        try site.dir.write("logs/mail.log", site.messages(0..<5, user: "anna@example.org"))
        Unprivileged.denyRead(site.dir.file("logs/mail.log"))
        let run = try site.run(unprivileged: true)
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr.contains(site.dir.file("logs/mail.log")), "\(run.stderr)")
        #expect(try site.metrics().value("mvpipe_source_up", ["source": "postfix-log"]) == 0)
        #expect(try site.state.volumes().isEmpty)
    }

    @Test func aLogFolderTheAccountMayNotListFailsTheSource() throws {
        let site = try Site()
        try site.dir.write("logs/mail.log", site.messages(0..<5, user: "anna@example.org"))
        chmod(site.dir.file("logs/mail.log"), 0o644)
        Unprivileged.denyRead(site.dir.file("logs"))  // a folder of mode 0640 (or 000): not searchable
        let run = try site.run(unprivileged: true)
        chmod(site.dir.file("logs"), 0o755)
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr.contains(site.dir.file("logs")), "\(run.stderr)")
        #expect(run.stderr.contains("Permission denied"), "\(run.stderr)")
        #expect(try site.metrics().value("mvpipe_source_up", ["source": "postfix-log"]) == 0)
    }
}
