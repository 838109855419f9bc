import Foundation
import Testing

/// Real journal files for the postfix-journal tests: Tests/Support/journal-export.py turns the real Postfix lab
/// log into Journal Export Format entries (with unrelated services' entries between them), and systemd's own
/// `systemd-journal-remote` writes the journal file (Tests/Support/README.md). No journald is needed.
enum JournalFiles {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let generator = repository.appendingPathComponent("Tests/Support/journal-export.py").path
    /// The real Postfix capture with RFC 3339 stamps (exact to the microsecond).
    static let postfixLog = repository.appendingPathComponent("Tests/Fixtures/postfix/postfix-rsyslog-rfc3339.log").path
    /// The day it was captured on.
    static let day = "2026-11-29"
    /// Debian's path (package systemd-journal-remote; not on PATH), else where scripts/test-setup unpacked it on a
    /// machine without systemd (then systemd's private library comes from there too).
    static let journalRemote: (path: String, libraries: String?) = {
        if let explicit = ProcessInfo.processInfo.environment["MVPIPE_JOURNAL_REMOTE"] { return (explicit, nil) }
        let unpacked = repository.appendingPathComponent(".build-tools/systemd-journal-remote")
        let installed = "/lib/systemd/systemd-journal-remote"
        if FileManager.default.isExecutableFile(atPath: installed) { return (installed, nil) }
        return (unpacked.appendingPathComponent("lib/systemd/systemd-journal-remote").path,
                unpacked.appendingPathComponent("usr/lib/x86_64-linux-gnu/systemd").path)
    }()

    /// Writes `output` (a new name ending in `.journal`) from the Postfix log's lines `lines` (`"FIRST:LAST"`, as
    /// the generator's `--lines`), with `arguments` for the generator (`--spoof`, `--no-noise`).
    static func write(_ output: String, lines: String? = nil, _ arguments: [String] = []) throws {
        try #require(FileManager.default.isExecutableFile(atPath: journalRemote.path),
                     "\(journalRemote.path) is missing: run scripts/test-setup (it installs systemd-journal-remote)")
        var generatorArguments = [generator, postfixLog] + arguments
        if let lines { generatorArguments += ["--lines", lines] }
        let export = Process()
        export.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        export.arguments = ["python3"] + generatorArguments
        let remote = Process()
        remote.executableURL = URL(fileURLWithPath: journalRemote.path)
        if let libraries = journalRemote.libraries {
            remote.environment = ["LD_LIBRARY_PATH": libraries, "PATH": "/usr/bin:/bin"]
        }
        remote.arguments = ["-o", output, "-"]
        let pipe = Pipe()
        export.standardOutput = pipe
        remote.standardInput = pipe
        remote.standardError = FileHandle.nullDevice
        try export.run()
        try remote.run()
        export.waitUntilExit()
        remote.waitUntilExit()
        try #require(export.terminationStatus == 0 && remote.terminationStatus == 0,
                     "journal-export.py exit \(export.terminationStatus), systemd-journal-remote exit \(remote.terminationStatus)")
    }

    /// A harness whose only source is postfix-journal over the files in its folder `journal/`.
    static func harness(identity: String? = nil) throws -> MaillogHarness {
        var source: [String: Any] = ["type": "postfix-journal", "directory": "journal"]
        if let identity { source["identity"] = identity }
        let harness = try MaillogHarness(source: source)
        try FileManager.default.createDirectory(atPath: harness.file("journal"), withIntermediateDirectories: false)
        return harness
    }
}
