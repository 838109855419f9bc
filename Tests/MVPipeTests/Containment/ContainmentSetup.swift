import Foundation
import Pipeline

/// A pipeline with a `postfix-hold` notifier and a console notifier over an ASSP archive, a reload script that
/// records its arguments (or fails while the file `bin/fail` exists), and Postfix's `postmap` to check the map.
struct ContainmentSetup {
    /// Records its arguments, one call per line, or fails when `fail` exists beside it.
    static let reloadScript = """
        #!/bin/sh
        dir=$(dirname "$0")
        if [ -e "$dir/fail" ]; then echo "postfix/postfix-script: fatal: the Postfix mail system is not running (simulated)" >&2; exit 1; fi
        printf '%s\\n' "$*" >> "$dir/reload.log"
        """

    /// Where Debian's `postmap` is, when Postfix is installed.
    static let postmapPath = "/usr/sbin/postmap"
    static var hasPostmap: Bool { FileManager.default.isExecutableFile(atPath: postmapPath) }

    let dir: TemporaryDirectory
    let archive: ArchiveBuilder
    let config: String
    let map: String
    let today = Day("2026-11-25")!
    var environment: [String: String]

    /// `hold` amends the postfix-hold entry; `extra` the config's top level (a PostgreSQL `state`, a `host`).
    init(hold: [String: Any] = [:], extra: [String: Any] = [:], environment: [String: String] = [:],
         users: [String] = ["alice@example.org", "bob@example.org"]) throws {
        dir = try TemporaryDirectory()
        archive = try ArchiveBuilder(root: dir.file("archive"))
        let reload = try dir.write("bin/reload", Self.reloadScript, executable: true)
        // postmap reads main.cf from MAIL_CONFIG: a private, empty one (no Postfix runs).
        _ = try dir.write("postfix/main.cf", "")
        map = dir.file("postfix/mvpipe_holds")
        var entry: [String: Any] = ["type": "postfix-hold", "map": map, "reload_command": [reload, "reload"]]
        entry.merge(hold) { _, new in new }
        config = try ConfigFile.write(
            ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                               notifiers: [entry, ["type": "console"]], timezone: "UTC", extra: extra),
            to: dir.file("pipeline.json"))
        self.environment = environment.merging(["MAIL_CONFIG": dir.file("postfix")]) { $1 }
        for user in users {
            for offset in 1...14 { try archive.add(20, sender: user, on: today.adding(days: -offset)) }
        }
    }

    func run(_ now: String = "2026-11-25T10:00", _ extra: [String] = [], environment more: [String: String] = [:]) throws -> CLIRunner.Result {
        try CLIRunner.run(["run", "--config", config, "--now", now] + extra, environment: environment.merging(more) { $1 })
    }

    func cli(_ arguments: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments, environment: environment)
    }

    /// The map's text ("" when there is none).
    var mapText: String { (try? String(contentsOfFile: map, encoding: .utf8)) ?? "" }
    var mapExists: Bool { FileManager.default.fileExists(atPath: map) }

    /// The keys of the map's entries.
    var mapKeys: [String] {
        mapText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.split(separator: " ").first ?? "") }
    }

    /// The reload command's calls so far.
    var reloads: [String] {
        ((try? String(contentsOfFile: dir.file("bin/reload.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func failReload(_ fail: Bool) throws {
        if fail { _ = try dir.write("bin/fail", "") } else { try FileManager.default.removeItem(atPath: dir.file("bin/fail")) }
    }

    /// What Postfix's `postmap -q KEY TYPE:MAP` answers (nil: not found, or no postmap here).
    func lookup(_ key: String, type: String = "texthash") throws -> String? {
        guard Self.hasPostmap else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.postmapPath)
        process.arguments = ["-c", dir.file("postfix"), "-q", key, "\(type):\(map)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// Checks every map line is a comment or `KEY ACTION text` with a key mvpipe may write, and Postfix reads it.
    func mapIsValid() throws -> Bool {
        for line in mapText.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ")
            guard fields.count >= 3, ["HOLD", "DEFER", "REJECT"].contains(fields[1]),
                  fields[0].unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
                  String(fields[0]) == fields[0].lowercased() else { return false }
            if Self.hasPostmap, try lookup(String(fields[0])) == nil { return false }
        }
        return mapText.isEmpty || mapText.hasSuffix("\n")
    }
}
