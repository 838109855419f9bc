import Foundation
import Pipeline
import Testing

/// `mvpipe run` killed with SIGKILL at seeded random moments while it delivers alerts to a slow webhook and a
/// slow Matrix homeserver (127.0.0.1), then run again until a run completes: no alert is lost, none is raised
/// twice, and a notifier that confirmed an alert (recorded as delivered in the state) never gets it again; Matrix
/// retries reuse the transaction id, so the room holds one event however often the send was cut off.
@Suite("kill -9 during delivery") struct DeliveryCrashTests {
    static let now = "2026-11-25T16:00"
    static let users = ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]
    static let delay = 0.6

    struct Scenario {
        let temp: TemporaryDirectory
        let dir: TempDir
        let http: ServerProcess
        let config: String
        let state: StateFile
        let environment = ["CRASH_MATRIX_TOKEN": "TOKEN"]

        init() throws {
            temp = try TemporaryDirectory("mvpipe-crash")
            dir = try TempDir()
            http = try startHTTPServer(dir, args: ["--delay", "\(DeliveryCrashTests.delay)"])
            let archive = try ArchiveBuilder(root: temp.file("archive"))
            for (i, user) in DeliveryCrashTests.users.enumerated() { try archive.add(300 + 50 * i, sender: user, on: Day("2026-11-25")!) }
            let notifiers: [[String: Any]] = [
                ["type": "webhook", "url": "http://127.0.0.1:\(http.port)/hook/mvpipe", "timeout": 10, "max_retry_seconds": 0],
                ["type": "matrix", "homeserver": "http://127.0.0.1:\(http.port)", "room": "!ops:example.org",
                 "token_env": "CRASH_MATRIX_TOKEN", "timeout": 10, "max_retry_seconds": 0],
            ]
            config = try ConfigFile.write(ConfigFile.archive(root: temp.file("archive"), state: temp.file("state.sqlite"),
                                                             notifiers: notifiers, extra: ["host": "mx1.example.org"]),
                                          to: temp.file("pipeline.json"))
            state = StateFile(path: temp.file("state.sqlite"))
        }

        var arguments: [String] { ["run", "--config", config, "--now", DeliveryCrashTests.now] }

        func requests() throws -> [[String: Any]] { try appRequests(http) }

        func stop() { http.stop(); dir.remove() }
    }

    /// The alert ids a webhook request carried.
    static func webhookIDs(_ request: [String: Any]) throws -> Set<Int64> {
        let alerts = try jsonBody(request)["alerts"] as? [[String: Any]] ?? []
        return Set(alerts.compactMap { ($0["id"] as? NSNumber)?.int64Value })
    }

    @Test(arguments: [11, 23, 37, 41] as [UInt64])
    func killedMidDeliveryThenRerunDeliversEachAlertOnce(seed: UInt64) throws {
        let scenario = try Scenario()
        defer { scenario.stop() }
        var rng = SeededRandom(state: seed)
        // After each run: how many requests the server had seen, and what the state recorded as delivered.
        var marks: [(requests: Int, webhook: Set<Int64>, matrix: Set<Int64>)] = []
        var killedMidRequest = 0
        for round in 0..<3 {
            let before = try scenario.requests().count
            let run = try BackgroundRun(scenario.arguments, environment: scenario.environment)
            if round > 0 && Bool.random(using: &rng) {
                // Anywhere in startup, collection, evaluation, saving the alerts.
                run.kill(after: Double.random(in: 0...0.4, using: &rng))
            } else {
                // While a notifier's request is in flight (the server holds each one for `delay` seconds); always
            // on the first round, so every seed cuts off at least one delivery.
                let nth = Int.random(in: 1...2, using: &rng)
                let deadline = Date().addingTimeInterval(60)
                while run.process.isRunning, try scenario.requests().count < before + nth, Date() < deadline { usleep(5_000) }
                run.kill(after: Double.random(in: 0...(DeliveryCrashTests.delay - 0.1), using: &rng))
            }
            let requests = try scenario.requests().count
            let exists = FileManager.default.fileExists(atPath: scenario.state.path)
            let webhook = exists ? try scenario.state.delivered(to: "webhook") : []
            let matrix = exists ? try scenario.state.delivered(to: "matrix") : []
            if requests > before && (webhook.isEmpty || matrix.isEmpty) { killedMidRequest += 1 }
            marks.append((requests, webhook, matrix))
        }
        let final = try CLIRunner.run(scenario.arguments, environment: scenario.environment)
        #expect(final.status == 0, "stderr: \(final.stderr)")
        let all = try scenario.state.alertIDs()
        marks.append((try scenario.requests().count, try scenario.state.delivered(to: "webhook"), try scenario.state.delivered(to: "matrix")))

        #expect(try scenario.state.integrity() == "ok")
        #expect(try scenario.state.alerts() == DeliveryCrashTests.users.map { "\($0) 2026-11-25 #1" }, "each user alerted once")
        #expect(marks.last!.webhook == all && marks.last!.matrix == all, "every alert delivered to both notifiers")

        let requests = try scenario.requests()
        var webhookSeen: Set<Int64> = []
        var transactions: Set<String> = []
        for (index, request) in requests.enumerated() {
            // The run that sent it, and what the state had recorded as delivered before that run.
            let run = marks.firstIndex { index < $0.requests } ?? marks.count - 1
            let confirmedBefore = run == 0 ? (webhook: Set<Int64>(), matrix: Set<Int64>()) : (marks[run - 1].webhook, marks[run - 1].matrix)
            let path = request["path"] as? String ?? ""
            if path.hasPrefix("/hook/") {
                let ids = try Self.webhookIDs(request)
                webhookSeen.formUnion(ids)
                #expect(ids.isDisjoint(with: confirmedBefore.webhook), "request \(index) re-sent alerts the webhook had confirmed")
            } else if path.hasPrefix("/_matrix/") {
                transactions.insert(String(path.split(separator: "/").last ?? ""))
                #expect(confirmedBefore.matrix.isEmpty, "request \(index) re-sent alerts Matrix had confirmed")
            }
        }
        #expect(webhookSeen == all, "every alert reached the webhook")
        #expect(transactions.count == 1, "every Matrix attempt reused one transaction id, so the room has one event: \(transactions)")
        // Nothing left: another run sends nothing.
        let again = try CLIRunner.run(scenario.arguments, environment: scenario.environment)
        #expect(again.status == 0)
        #expect(try scenario.requests().count == requests.count)
        #expect(killedMidRequest > 0, "no kill landed while a request was in flight")
    }
}
