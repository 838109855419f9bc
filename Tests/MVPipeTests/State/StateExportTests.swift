import Foundation
import GRDB
import Testing
import Pipeline
import SQLiteStore

/// `mvpipe state export` / `import`: JSON lines that round-trip exactly, checked line by line before anything is written.
@Suite struct StateExportTests {
    struct Setup {
        let dir: TemporaryDirectory
        let source: String
        let target: String
        let sourceConfig: String
        let targetConfig: String

        init(fixture: Bool = true) throws {
            dir = try TemporaryDirectory()
            source = dir.file("state.sqlite")
            target = dir.file("copy/state.sqlite")
            try FileManager.default.createDirectory(atPath: dir.file("copy"), withIntermediateDirectories: true)
            sourceConfig = try StateFixture.config(in: dir, state: source)
            targetConfig = try StateFixture.config(in: dir, state: target, name: "copy.json")
            if fixture { try StateFixture.build(at: source) }
        }

        func export(_ config: String, to file: String) throws -> CLIRunner.Result {
            try CLIRunner.run(["state", "export", "--config", config, "--output", file])
        }

        func importFile(_ file: String, _ extra: [String] = []) throws -> CLIRunner.Result {
            try CLIRunner.run(["state", "import", "--config", targetConfig, "--input", file] + extra)
        }

        func text(_ file: String) -> String {
            String(decoding: StateFixture.bytes(file) ?? Data(), as: UTF8.self)
        }
    }

    @Test func exportImportExportIsByteIdentical() throws {
        let s = try Setup()
        let first = try s.export(s.sourceConfig, to: s.dir.file("a.jsonl"))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "exported 238 rows (volume 120, source_day 20, source_checkpoint 1, bucket 72, alert 6, delivery 6, alert_sequence 1, hold 6, client_ip 6, silence 1) from \(s.source) to \(s.dir.file("a.jsonl"))\n")
        let imported = try s.importFile(s.dir.file("a.jsonl"))
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("imported 238 rows"))
        #expect(try s.export(s.targetConfig, to: s.dir.file("b.jsonl")).status == 0)
        let a = try #require(StateFixture.bytes(s.dir.file("a.jsonl")))
        #expect(a == StateFixture.bytes(s.dir.file("b.jsonl")))
        // Every row, every bit (REAL times, blobs, hostile text) is the same in the new file.
        #expect(try StateFixture.exportedSnapshot(s.target) == StateFixture.exportedSnapshot(s.source))
        // Exporting to standard output gives the same bytes.
        let piped = try CLIRunner.run(["state", "export", "--config", s.targetConfig])
        #expect(Data(piped.stdout.utf8) == a)

        let lines = s.text(s.dir.file("a.jsonl")).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "{\"format\":\"mvpipe-state\",\"format_version\":1,\"schema_version\":\(SQLiteStateStore.schemaVersion)}")
        #expect(lines.last == "")
        #expect(lines.contains("{\"table\":\"alert_sequence\",\"last_id\":6}"))
        #expect(lines.contains("{\"table\":\"source_day\",\"source\":\"archive\",\"day\":\"2026-11-25\",\"final\":0,\"updated_at\":1764072000.123456}"))
        // Hostile names are escaped: no raw control character ends or splits a line.
        let text = s.text(s.dir.file("a.jsonl"))
        #expect(text.contains(#""user":"evil\r\nBcc: x@evil.test""#))
        #expect(text.contains(#""user":"caf\\xc3-broken""#))
        #expect(text.contains(#""user":"del\u007fnel\u0085ls\u2028""#))
        #expect(text.contains(#""user":"quote\"back\\slash\ttab""#))
        #expect(text.contains("😀@example.org"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(lines.filter { $0.hasPrefix("{\"table\":\"hold\",") }.count == 6)  // holds, released or not, hostile names too
        #expect(lines.filter { $0.hasPrefix("{\"table\":\"client_ip\",") }.count == 6)  // hostile names too
        #expect(lines.filter { $0.hasPrefix("{\"table\":\"silence\",") }.count == 1)
        #expect(lines.count == 241)  // header, 239 rows, and the final newline
    }

    @Test func anImportedStateRunsLikeTheOriginal() throws {
        let s = try Setup(fixture: false)
        let mail = try s.dir.write("bin/fake-mail", AlertLifecycleTests.fakeMail, executable: true)
        let notifiers: [[String: Any]] = [["type": "mailx", "name": "mail", "command": mail, "to": ["admin@example.org"]]]
        let original = try ConfigFile.write(ConfigFile.archive(root: s.dir.file("archive"), state: s.source, notifiers: notifiers, timezone: "UTC"),
                                            to: s.dir.file("original.json"))
        let copy = try ConfigFile.write(ConfigFile.archive(root: s.dir.file("archive"), state: s.target, notifiers: notifiers, timezone: "UTC"),
                                        to: s.dir.file("copy.json"))
        let archive = try ArchiveBuilder(root: s.dir.file("archive"))
        let today = Day("2026-11-25")!
        for offset in 1...14 { try archive.add(20, sender: "alice@example.org", on: today.adding(days: -offset)) }
        try archive.add(150, sender: "alice@example.org", on: today)
        func mails() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: s.dir.file("bin"))) ?? []).filter { $0.hasSuffix(".body") }.sorted()
        }
        func run(_ config: String, _ now: String) throws -> Int32 {
            try CLIRunner.run(["run", "--config", config, "--now", now]).status
        }

        #expect(try run(original, "2026-11-25T10:00") == 0)
        #expect(mails().count == 1)
        #expect(try s.export(original, to: s.dir.file("a.jsonl")).status == 0)
        #expect(try CLIRunner.run(["state", "import", "--config", copy, "--input", s.dir.file("a.jsonl")]).status == 0)

        // More mail, but under twice the alerted count: both states know alice was alerted today.
        try archive.add(100, sender: "alice@example.org", on: today)
        #expect(try run(copy, "2026-11-25T11:00") == 0)
        #expect(try run(original, "2026-11-25T11:00") == 0)
        #expect(mails().count == 1, "the imported state forgot the earlier alert")
        #expect(try s.export(original, to: s.dir.file("a2.jsonl")).status == 0)
        #expect(try s.export(copy, to: s.dir.file("b2.jsonl")).status == 0)
        #expect(StateFixture.bytes(s.dir.file("a2.jsonl")) == StateFixture.bytes(s.dir.file("b2.jsonl")))

        // Twice the count: both escalate, with the same alert (same id, same text).
        try archive.add(50, sender: "alice@example.org", on: today)
        #expect(try run(copy, "2026-11-25T12:00") == 0)
        #expect(try run(original, "2026-11-25T12:00") == 0)
        #expect(mails() == ["mail-0.body", "mail-1.body", "mail-2.body"])
        let escalation = String(decoding: StateFixture.bytes(s.dir.file("bin/mail-1.body")) ?? Data(), as: UTF8.self)
        #expect(escalation.contains("escalation #1"))
        #expect(StateFixture.bytes(s.dir.file("bin/mail-1.body")) == StateFixture.bytes(s.dir.file("bin/mail-2.body")))
    }

    @Test func importReadsStandardInput() throws {
        let s = try Setup()
        #expect(try s.export(s.sourceConfig, to: s.dir.file("a.jsonl")).status == 0)
        let result = try CLIRunner.run(["state", "import", "--config", s.targetConfig], stdin: s.text(s.dir.file("a.jsonl")))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try StateFixture.exportedSnapshot(s.target) == StateFixture.exportedSnapshot(s.source))
    }

    /// Each edit breaks one line; the import names it and writes nothing (the target is not even created).
    @Test(arguments: [
        ("volume", #""messages":10,"#, #""messages":-1,"#, "volume.messages: expected 0 or more, found -1"),
        ("volume", #""day":"2026-11-25""#, #""day":"2026-11-31""#, "volume.day: expected a date YYYY-MM-DD, found '2026-11-31'"),
        ("volume", #""messages":10,"#, #""messages":"10","#, "volume.messages: expected a whole number, found a string"),
        ("volume", #""messages":10,"#, #""messages":10.5,"#, "volume.messages: expected a whole number, found a number"),
        ("volume", #""recipients":null"#, #""recipients":null,"extra":1"#, "unknown field(s) for table volume: 'extra'"),
        ("volume", #","recipients":null"#, "", "volume.recipients is missing"),
        ("volume", #""table":"volume""#, #""table":"volumes""#, "unknown table 'volumes'"),
        ("volume", #"{"table""#, #"["table""#, "not valid JSON"),
        ("source_checkpoint", #""data":""#, #""data":"!"#, "source_checkpoint.data: expected base64 text"),
        ("delivery", #""alert_id":6,"#, #""alert_id":60,"#, "delivery.alert_id 60 refers to no alert of the file"),
        ("alert", #""messages":205,"#, #""messages":205,"payload":"x","#, "not valid JSON"),
        ("alert", #""user":"😀@example.org""#, #""user":"mallory""#, "alert.payload describes another alert"),
        ("source_day", #""final":0"#, #""final":null"#, "source_day.final must not be null"),
        ("volume", #""user":"alice@example.org""#, #""user":"nul\u0000byte""#, "text with a NUL character cannot be stored"),
    ])
    func anInvalidLineIsNamedAndNothingIsWritten(table: String, find: String, replace: String, message: String) throws {
        let s = try Setup()
        #expect(try s.export(s.sourceConfig, to: s.dir.file("a.jsonl")).status == 0)
        var lines = s.text(s.dir.file("a.jsonl")).split(separator: "\n").map(String.init)
        // Break the last line of that table holding `find` (late in the file: the earlier lines are fine).
        let index = try #require(lines.lastIndex { $0.hasPrefix("{\"table\":\"\(table)\"") && $0.contains(find) })
        lines[index] = lines[index].replacingOccurrences(of: find, with: replace)
        try (lines.joined(separator: "\n") + "\n").write(toFile: s.dir.file("bad.jsonl"), atomically: true, encoding: .utf8)
        let result = try s.importFile(s.dir.file("bad.jsonl"))
        let expectedLine = index + 1
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("line \(expectedLine): "), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was imported"))
        #expect(!FileManager.default.fileExists(atPath: s.target))
    }

    @Test(arguments: [
        (Data(), "line 1: the file is empty"),
        (Data(#"{"format":"mvpipe-state","format_version":2,"schema_version":1}"#.utf8), "line 1: format version 2 is not one this mvpipe reads"),
        (Data(#"{"format":"mvpipe-state","format_version":1,"schema_version":99}"#.utf8), "line 1: a newer mvpipe exported this state (schema 99)"),
        (Data(#"{"table":"volume"}"#.utf8), "line 1: expected the header"),
        (Data(#"{"format":"mvpipe-state","format_version":1,"schema_version":2}"#.utf8 + [10, 0xff, 0xfe, 10]), "line 2: not valid UTF-8"),
        (Data(#"{"format":"mvpipe-state","format_version":1,"schema_version":2}"#.utf8 + [10, 10]), "line 2: empty line"),
    ])
    func aBadHeaderOrEncodingIsRefused(content: Data, message: String) throws {
        let s = try Setup()
        try content.write(to: URL(fileURLWithPath: s.dir.file("bad.jsonl")))
        let result = try s.importFile(s.dir.file("bad.jsonl"))
        #expect(result.status == 65)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.target))
    }

    @Test func aStateWithDataIsReplacedOnlyWithReplaceAndAFailedReplaceKeepsIt() throws {
        let s = try Setup()
        #expect(try s.export(s.sourceConfig, to: s.dir.file("a.jsonl")).status == 0)
        try StateFixture.build(at: s.target, schemaIndex: 0)
        let before = try StateFixture.snapshot(s.target, schemaIndex: 0)
        let refused = try s.importFile(s.dir.file("a.jsonl"))
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("already holds"))
        #expect(refused.stderr.contains("--replace"))
        #expect(try StateFixture.snapshot(s.target, schemaIndex: 0) == before)

        // A duplicate row only the database can see fails the whole transaction: the old rows stay.
        var lines = s.text(s.dir.file("a.jsonl")).split(separator: "\n").map(String.init)
        let volume = try #require(lines.firstIndex { $0.hasPrefix("{\"table\":\"volume\"") })
        lines.insert(lines[volume], at: volume + 50)
        try (lines.joined(separator: "\n") + "\n").write(toFile: s.dir.file("dup.jsonl"), atomically: true, encoding: .utf8)
        let duplicate = try s.importFile(s.dir.file("dup.jsonl"), ["--replace"])
        #expect(duplicate.status == 65)
        #expect(duplicate.stderr.contains("line \(volume + 51): cannot store this volume row"), "\(duplicate.stderr)")
        #expect(try StateFixture.snapshot(s.target, schemaIndex: 0) == before)

        let replaced = try s.importFile(s.dir.file("a.jsonl"), ["--replace"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try StateFixture.exportedSnapshot(s.target) == StateFixture.exportedSnapshot(s.source))
    }

    @Test func exportOfAMissingStateFailsAndCreatesNothing() throws {
        let s = try Setup(fixture: false)
        let result = try s.export(s.sourceConfig, to: s.dir.file("a.jsonl"))
        #expect(result.status == 74)
        #expect(!FileManager.default.fileExists(atPath: s.source))
        #expect(!FileManager.default.fileExists(atPath: s.dir.file("a.jsonl")))
    }

    @Test func exportWaitsForTheRunLock() throws {
        let s = try Setup()
        let fd = open(s.source + ".lock", O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        let result = try CLIRunner.run(["state", "export", "--config", s.sourceConfig, "--output", s.dir.file("a.jsonl"), "--lock-timeout", "0.3"])
        #expect(result.status == 75)
        #expect(!FileManager.default.fileExists(atPath: s.dir.file("a.jsonl")))
    }
}
