import Foundation
import Pipeline
import Testing

/// A mail program is judged by its own exit status: a descendant it leaves running (mailx without `sendwait`, a
/// background sendmail) neither delays mvpipe nor turns a delivered report into a failure; a mail program that
/// hangs is ended together with everything it started.
@Suite("mail program children") struct MailProgramChildTests {
    private static let day = Day("2026-11-25")!

    /// An archive with one user over the limit and a mailx notifier running `script`, with `timeout` seconds.
    private func setUp(_ dir: TemporaryDirectory, script: String, timeout: Int) throws -> String {
        let mail = try dir.write("bin/mail", script, executable: true)
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(5, sender: "bulk@example.org", on: Self.day)
        var config = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                        notifiers: [["type": "mailx", "command": mail, "to": ["admin@example.org"],
                                                     "timeout": timeout]], timezone: "UTC")
        config["detectors"] = [["type": "hard-cap", "limit": 0]]
        return try ConfigFile.write(config, to: dir.file("pipeline.json"))
    }

    @Test func aMailProgramThatLeavesAChildRunningHasDelivered() throws {
        let dir = try TemporaryDirectory("mvpipe-mail-child")
        // Reads the report, starts a "background sendmail" that lives far longer than the timeout and keeps the
        // program's stdin, stdout and stderr open, and exits 0.
        let script = """
            #!/bin/sh
            cat > "\(dir.path)/report.$$"
            sleep 600 &
            echo $! > "\(dir.path)/child.pid"
            exit 0
            """
        let config = try setUp(dir, script: script, timeout: 1)
        defer { killRecorded(dir.file("child.pid")) }

        let first = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:00"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(try StateFile(path: dir.file("state.sqlite")).delivered(to: "mailx").count == 1)
        #expect(try reports(dir).count == 1)
        let report = try String(contentsOfFile: dir.file(try reports(dir)[0]), encoding: .utf8)
        #expect(report.contains("bulk@example.org: 5 messages on 2026-11-25"))

        killRecorded(dir.file("child.pid"))
        let second = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:05"])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(try reports(dir).count == 1, "the delivered report was not sent again")
    }

    @Test func aHangingMailProgramIsEndedWithEverythingItStarted() throws {
        let dir = try TemporaryDirectory("mvpipe-mail-hang")
        // Starts a child that ignores SIGTERM (only SIGKILL ends it), then waits for a child that never ends.
        let script = """
            #!/bin/sh
            echo $$ > "\(dir.path)/program.pid"
            cat > /dev/null
            (trap '' TERM; exec sleep 600) &
            echo $! > "\(dir.path)/stubborn.pid"
            sleep 600 &
            echo $! > "\(dir.path)/sleeper.pid"
            wait
            """
        let config = try setUp(dir, script: script, timeout: 1)
        let files = ["program.pid", "stubborn.pid", "sleeper.pid"].map(dir.file)
        defer { files.forEach(killRecorded) }

        let result = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:00"])
        #expect(result.status == 75, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("did not finish within 1 s"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("1 alert(s) not delivered by mailx"), "stderr: \(result.stderr)")
        #expect(try StateFile(path: dir.file("state.sqlite")).delivered(to: "mailx").isEmpty)
        for file in files {
            let pid = try #require(recordedPID(file), "\(file) was not written")
            #expect(waitUntilGone(pid), "\((file as NSString).lastPathComponent) \(pid) is still running after mvpipe exited")
        }
    }

    private func reports(_ dir: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("report.") }.sorted()
    }

    private func recordedPID(_ file: String) -> pid_t? {
        (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Kills the process a script recorded (the test's own children's children), if it still runs.
    private func killRecorded(_ file: String) {
        if let pid = recordedPID(file), pid > 1, isRunning(pid) { kill(pid, SIGKILL) }
    }

    /// Whether `pid` is a live process (not gone, not a zombie waiting to be reaped).
    private func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)...].first
        return state != "Z" && state != "X"
    }

    /// Waits (up to a generous deadline that only turns a hang into a failure) until `pid` is gone.
    private func waitUntilGone(_ pid: pid_t) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while isRunning(pid) {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}
