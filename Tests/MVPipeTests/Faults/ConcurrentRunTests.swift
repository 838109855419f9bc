import Foundation
import Pipeline
import Testing

/// Two `mvpipe run`s started at once on one state file: one runs, the other waits for the lock (or gives up
/// with exit 75); the state stays sound and every alert goes out once.
@Suite("concurrent runs") struct ConcurrentRunTests {
    static let now = "2026-11-25T16:00"
    static let users = ["a@example.org", "b@example.org", "c@example.org"]

    struct Scenario {
        let temp: TemporaryDirectory
        let dir: TempDir
        let http: ServerProcess
        let config: String
        let state: StateFile

        init(delay: Double) throws {
            temp = try TemporaryDirectory("mvpipe-concurrent")
            dir = try TempDir()
            http = try startHTTPServer(dir, args: ["--delay", "\(delay)"])
            let archive = try ArchiveBuilder(root: temp.file("archive"))
            for user in ConcurrentRunTests.users { try archive.add(400, sender: user, on: Day("2026-11-25")!) }
            // The timeout only guards against a hang: a held request waits for the test's release.
            let notifiers: [[String: Any]] = [["type": "webhook", "url": "http://127.0.0.1:\(http.port)/hook/x", "timeout": 600]]
            config = try ConfigFile.write(ConfigFile.archive(root: temp.file("archive"), state: temp.file("state.sqlite"),
                                                             notifiers: notifiers), to: temp.file("pipeline.json"))
            state = StateFile(path: temp.file("state.sqlite"))
        }

        func arguments(_ extra: [String] = []) -> [String] { ["run", "--config", config, "--now", ConcurrentRunTests.now] + extra }

        func stop() { http.stop(); dir.remove() }
    }

    /// They start before the state file exists, so they also race to create it and its schema (three runs, a few
    /// rounds: the race this caught lost about one run in six).
    @Test(arguments: 0..<6)
    func runsStartedAtOnceOnANewStateAllSucceedAndAlertOnce(round: Int) throws {
        let scenario = try Scenario(delay: 0.3)
        defer { scenario.stop() }
        // They wait for the lock as long as it takes (the lock timeout only guards against a hang).
        let runs = try (0..<3).map { _ in try BackgroundRun(scenario.arguments(["--lock-timeout", "\(Int(Eventually.deadline))"])) }
        for (i, run) in runs.enumerated() {
            let result = run.wait()
            #expect(result.status == 0, "run \(i): \(result.stderr)")
        }
        #expect(try scenario.state.integrity() == "ok")
        #expect(try scenario.state.alerts() == ConcurrentRunTests.users.map { "\($0) 2026-11-25 #1" })
        let hooks = try appRequests(scenario.http)
        #expect(hooks.count == 1, "one delivery of the three alerts, not one per run")
        #expect(((try jsonBody(hooks[0])["alerts"] as? [Any])?.count) == 3)
    }

    @Test func theSecondRunGivesUpWith75WhileTheFirstDelivers() throws {
        let scenario = try Scenario(delay: 0)
        defer { scenario.stop() }
        // The server holds the first run's request until the second run has given up: the first run is inside
        // delivery, holding the lock, for exactly as long as the test needs.
        try scriptResponses(scenario.http, path: "/hook/x", responses: [["hold": "first"]])
        let first = try BackgroundRun(scenario.arguments())
        try Eventually.wait(for: "the first run's request", from: first) { try !appRequests(scenario.http).isEmpty }
        let second = try CLIRunner.run(scenario.arguments(["--lock-timeout", "0.5"]))
        #expect(second.status == 75)
        #expect(second.stderr.contains("another mvpipe run holds the lock"), "stderr: \(second.stderr)")
        try releaseHeld(scenario.http, name: "first")
        let a = first.wait()
        #expect(a.status == 0, "first: \(a.stderr)")
        #expect(try scenario.state.integrity() == "ok")
        #expect(try appRequests(scenario.http).count == 1)
        // The run that gave up did nothing; the next one finds nothing to do.
        let third = try CLIRunner.run(scenario.arguments())
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(try appRequests(scenario.http).count == 1)
        #expect(try scenario.state.alerts().count == 3)
    }
}
