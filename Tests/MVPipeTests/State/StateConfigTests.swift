import Foundation
import Pipeline
import Testing

/// `"state"`: a SQLite path, `{"type": "sqlite", "path": …}`, or `{"type": "postgresql", "url_env"|"url_file": …}`.
/// Mistakes are config errors at their JSON path (exit 78, nothing written); a PostgreSQL state is read and checked
/// but refused by this build with exit 78, and its URL (which holds the password) never shows.
@Suite struct StateConfigTests {
    static let password = "s3cret-Pa55"
    static let url = "postgresql://mvpipe:\(password)@127.0.0.1:5432/mvpipe?sslmode=disable"

    final class Site {
        let dir: TemporaryDirectory

        init() throws {
            dir = try TemporaryDirectory("mvpipe-state-config")
            let archive = try ArchiveBuilder(root: dir.file("archive"))
            try archive.add(250, sender: "anna@example.org", on: Day("2026-11-25")!)
        }

        /// Writes a config with `state` (relative archive path) and returns its path.
        func config(state: Any) throws -> String {
            var object = ConfigFile.archive(root: "archive", state: "unused", timezone: "UTC")
            object["state"] = state
            return try ConfigFile.write(object, to: dir.file("pipeline.json"))
        }

        func run(_ arguments: [String], config: String, environment: [String: String] = [:]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments + ["--config", config], environment: environment)
        }

        /// Files in the folder besides the config and the archive.
        var written: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
                .filter { !["pipeline.json", "archive", "url"].contains($0) }.sorted()
        }
    }

    static let commands: [[String]] = [
        ["run", "--now", "2026-11-25T16:00"], ["run", "--dry-run", "--now", "2026-11-25T16:00"], ["check"],
        ["counts", "--day", "2026-11-25"], ["explain", "anna@example.org", "--day", "2026-11-25"],
        ["backtest", "--from", "2026-11-20", "--to", "2026-11-25"], ["state", "check"], ["state", "export"],
        ["state", "prune", "--keep-days", "400"], ["state", "adopt"],
    ]

    @Test func theObjectFormOfASQLiteStateIsTheSameAsThePath() throws {
        let site = try Site()
        let config = try site.config(state: ["type": "sqlite", "path": "state.sqlite"])
        let run = try site.run(["run", "--now", "2026-11-25T16:00", "--json"], config: config)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("anna@example.org"), "\(run.stdout)")
        #expect(site.written.contains("state.sqlite"), "relative to the config's folder: \(site.written)")
        let check = try site.run(["check"], config: config)
        #expect(check.stdout.contains("state: \(site.dir.file("state.sqlite")) (exists; belongs to this config)"), "\(check.stdout)")
        let counts = try site.run(["counts", "--day", "2026-11-25", "--json"], config: config)
        #expect(counts.stdout.contains("\"messages\":250"), "\(counts.stdout)")

        // The string form names the same store: no second owner, the same counts.
        let plain = try site.config(state: "state.sqlite")
        let again = try site.run(["counts", "--day", "2026-11-25", "--json"], config: plain)
        #expect(again.status == 0 && again.stdout == counts.stdout, "\(again.stderr)")
    }

    @Test(arguments: [
        (#"{"type": "mysql", "path": "x"}"#, ["$.state.type", "unknown state type 'mysql'", "\"sqlite\" or \"postgresql\""]),
        (#"{"path": "x"}"#, ["$.state.type", "required"]),
        (#"{"type": 5}"#, ["$.state.type", "expected a string"]),
        (#"{"type": "sqlite"}"#, ["$.state.path", "required"]),
        (#"{"type": "sqlite", "path": ""}"#, ["$.state.path", "must not be empty"]),
        (#"{"type": "sqlite", "path": "x", "url_env": "X"}"#, ["$.state.url_env", "unknown key 'url_env'", "valid keys here: path, type"]),
        (#"{"type": "sqlite", "path": "x", "paht": "x"}"#, ["$.state.paht", "did you mean 'path'"]),
        (#"{"type": "postgresql"}"#, ["$.state.url_env", "needs its URL", "\"url_file\""]),
        (#"{"type": "postgresql", "url_env": "NOT_SET_ANYWHERE"}"#, ["$.state.url_env", "environment variable NOT_SET_ANYWHERE is not set"]),
        (#"{"type": "postgresql", "url_env": "MVPIPE_STATE_URL", "url_file": "url"}"#, ["$.state.url_file", "set only one of url_env, url_file"]),
        (#"{"type": "postgresql", "url": "postgresql://x"}"#, ["$.state.url", "name an environment variable with \"url_env\""]),
        (#"{"type": "postgresql", "url_env": "MVPIPE_STATE_URL", "path": "x"}"#, ["$.state.path", "unknown key 'path'"]),
    ])
    func mistakesAreConfigErrorsAtTheirPath(state: String, fragments: [String]) throws {
        let site = try Site()
        let config = try site.config(state: try JSONSerialization.jsonObject(with: Data(state.utf8)))
        for command in [["run"], ["check"], ["counts"], ["state", "check"]] {
            let result = try site.run(command, config: config, environment: ["MVPIPE_STATE_URL": Self.url])
            #expect(result.status == 78, "\(command): \(result.stderr)")
            for fragment in fragments {
                #expect(result.stderr.contains(fragment), "\(command): missing '\(fragment)' in: \(result.stderr)")
            }
            #expect(!(result.stdout + result.stderr).contains(Self.password))
        }
        #expect(site.written.isEmpty, "nothing written: \(site.written)")
    }

    @Test func aStateThatIsNeitherAStringNorAnObjectIsRefused() throws {
        let site = try Site()
        for state: Any in [5, ["state.sqlite"], ""] {
            let result = try site.run(["run"], config: try site.config(state: state))
            #expect(result.status == 78, "\(result.stderr)")
            #expect(result.stderr.contains("$.state"), "\(result.stderr)")
        }
        #expect(site.written.isEmpty, "\(site.written)")
    }

    /// A URL the store could not use is refused when the config is read, at the key that named it, without its value.
    @Test(arguments: [
        ("mysql://mvpipe:\(password)@127.0.0.1/mvpipe", "does not start with postgresql://"),
        ("postgresql://mvpipe:\(password)@/mvpipe", "names no host"),
        ("postgresql://127.0.0.1:5432/mvpipe", "names no user"),
        ("postgresql://mvpipe:\(password)@127.0.0.1:5432", "names no database"),
        ("postgresql://mvpipe:\(password)@127.0.0.1:5432/mvpipe?sslmode=always", "sslmode that is not one of disable, allow, prefer, require, verify-ca, verify-full"),
        ("postgresql://mvpipe:\(password)@127.0.0.1:5432/mvpipe?application_name=x", "the parameter 'application_name'"),
    ])
    func aMalformedURLIsAConfigErrorThatDoesNotShowIt(url: String, fragment: String) throws {
        let site = try Site()
        try site.dir.write("url", url + "\n")
        for (state, key) in [(["type": "postgresql", "url_env": "MVPIPE_STATE_URL"], "$.state.url_env"),
                             (["type": "postgresql", "url_file": "url"], "$.state.url_file")] {
            let result = try site.run(["run"], config: try site.config(state: state), environment: ["MVPIPE_STATE_URL": url])
            #expect(result.status == 78, "\(result.stderr)")
            #expect(result.stderr.contains(key) && result.stderr.contains(fragment), "\(result.stderr)")
            #expect(!result.stderr.contains(Self.password) && !result.stderr.contains(url), "\(result.stderr)")
        }
        #expect(site.written.isEmpty, "\(site.written)")
    }

    /// A PostgreSQL state whose server is not there (a loopback port nobody listens on): every command that opens
    /// the state fails with exit 75 and says the state is unreachable, never showing the URL or its password, and
    /// nothing is written. (`check` reports it and goes on.)
    @Test(.enabled(if: TestPostgres.compiledIn, "this build has no PostgreSQL store")) func anUnreachablePostgreSQLStateIsExit75() throws {
        let site = try Site()
        let url = "postgresql://mvpipe:\(Self.password)@127.0.0.1:\(try closedPort())/mvpipe?sslmode=disable"
        try site.dir.write("url", url + "\n")
        for state in [["type": "postgresql", "url_env": "MVPIPE_STATE_URL"], ["type": "postgresql", "url_file": "url"]] {
            let config = try site.config(state: state)
            for command in Self.commands {
                let result = try site.run(command, config: config, environment: ["MVPIPE_STATE_URL": url])
                if command != ["check"] {
                    #expect(result.status == 75, "\(command): \(result.stdout) \(result.stderr)")
                }
                #expect(result.stderr.contains("state unreachable") || result.stdout.contains("state unreachable"),
                        "\(command): \(result.stdout) \(result.stderr)")
                #expect(!(result.stdout + result.stderr).contains(Self.password), "\(command)")
            }
        }
        let imported = try site.run(["state", "import", "/dev/null"], config: try site.config(state: ["type": "postgresql", "url_file": "url"]))
        #expect(imported.status != 0 && !imported.stderr.contains(Self.password), "\(imported.stderr)")
        #expect(site.written.isEmpty, "nothing written: \(site.written)")
    }

    /// A server that accepts the connection and never answers (a listening socket nobody accepts from): the run
    /// gives up after `timeout_seconds` with exit 75 and "state unreachable" instead of hanging cron.
    @Test(.enabled(if: TestPostgres.compiledIn, "this build has no PostgreSQL store")) func aHungPostgreSQLServerTimesOutWithExit75() throws {
        let site = try Site()
        let listener = try SilentListener()
        defer { listener.close() }
        let url = "postgresql://mvpipe:\(Self.password)@127.0.0.1:\(listener.port)/mvpipe?sslmode=disable"
        let config = try site.config(state: ["type": "postgresql", "url_env": "MVPIPE_STATE_URL", "timeout_seconds": 1] as [String: Any])
        let result = try site.run(["run", "--now", "2026-11-25T16:00"], config: config, environment: ["MVPIPE_STATE_URL": url])
        #expect(result.status == 75, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("state unreachable") && (result.stderr.lowercased().contains("timeout") || result.stderr.contains("did not answer")), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains(Self.password))
        #expect(site.written.isEmpty, "nothing written: \(site.written)")
    }
}
