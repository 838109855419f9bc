import Foundation
import Pipeline
import Testing

/// A mail program that exits without reading the report (mailx refusing its arguments, a broken MTA) must
/// leave the alerts queued with exit 75 and a message, like any other failure; it must not kill mvpipe.
@Suite("mail program exits early") struct MailProgramExitTests {
    @Test func aMailProgramThatDoesNotReadItsInputKeepsTheAlertsQueued() throws {
        let dir = try TemporaryDirectory("mvpipe-mailx-exit")
        let mail = try dir.write("bin/mail", "#!/bin/sh\necho 'mail: refusing (simulated)' >&2\nexit 1\n", executable: true)
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        // 600 alerts: a report far larger than a pipe's buffer, so writing it cannot finish before the program exits.
        for n in 0..<600 { try archive.add(1, sender: "user\(n)@example.org", on: Day("2026-11-25")!) }
        var config = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                        notifiers: [["type": "mailx", "command": mail, "to": ["admin@example.org"]]], timezone: "UTC")
        config["detectors"] = [["type": "hard-cap", "limit": 0]]
        let path = try ConfigFile.write(config, to: dir.file("pipeline.json"))
        for attempt in 1...2 {
            let result = try CLIRunner.run(["run", "--config", path, "--now", "2026-11-25T10:00"])
            #expect(result.status == 75, "attempt \(attempt): stderr: \(result.stderr)")
            #expect(result.stderr.contains("exited with status 1: mail: refusing (simulated)"), "attempt \(attempt): \(result.stderr)")
            #expect(result.stderr.contains("600 alert(s) not delivered by mailx"))
        }
        #expect(try StateFile(path: dir.file("state.sqlite")).delivered(to: "mailx").isEmpty)
    }
}
