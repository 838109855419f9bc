import Foundation
import Testing

/// A postfix-log site for the setup tests: a folder the unprivileged test account (nobody, when the tests run as
/// root) may write, a log in `logs/`, a state file beside the config.
final class SetupSite {
    let dir: TemporaryDirectory
    let config: String
    let statePath: String

    init(notifiers: [[String: Any]] = [["type": "console"]], extra: [String: Any] = [:]) throws {
        let dir = try TemporaryDirectory("mvpipe-setup")
        self.dir = dir
        chmod(dir.path, 0o755)
        Unprivileged.allowWrite(dir.path)
        try FileManager.default.createDirectory(atPath: dir.file("logs"), withIntermediateDirectories: false)
        chmod(dir.file("logs"), 0o755)
        statePath = dir.file("state.sqlite")
        var object: [String: Any] = [
            "timezone": "UTC", "state": statePath,
            "sources": [["type": "postfix-log", "paths": [dir.file("logs/mail.log*")]]],
            "detectors": [["type": "hard-cap", "limit": 3]],
            "notifiers": notifiers,
        ]
        object.merge(extra) { _, new in new }
        config = try ConfigFile.write(object, to: dir.file("pipeline.json"))
        chmod(config, 0o644)
    }

    /// Writes `logs/mail.log` (world-readable) with `count` submissions of each user on 2026-11-20.
    func log(_ users: [String: Int]) throws {
        var text = "", n = 0
        for (user, count) in users.sorted(by: { $0.key < $1.key }) {
            for _ in 0..<count {
                text += PostfixLines.message(n, user: user, at: n * 10)
                n += 1
            }
        }
        try dir.write("logs/mail.log", text)
        chmod(dir.file("logs/mail.log"), 0o644)
    }

    /// `mvpipe COMMAND --config F ARGS` as the current account.
    func mvpipe(_ command: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> CLIRunner.Result {
        try CLIRunner.run([command, "--config", config] + arguments, environment: environment)
    }

    /// The state file's bytes and modification time, or nil when there is none.
    func stateStamp() -> (Data, Date)? {
        guard let data = FileManager.default.contents(atPath: statePath),
              let date = (try? FileManager.default.attributesOfItem(atPath: statePath))?[.modificationDate] as? Date
        else { return nil }
        return (data, date)
    }
}
