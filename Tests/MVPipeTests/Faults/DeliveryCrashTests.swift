import Foundation
import Pipeline
import Testing

/// `mvpipe run` killed with SIGKILL at seeded points while it delivers alerts to a webhook and a Matrix homeserver
/// (127.0.0.1), then run again until a run completes: no alert is lost, none is raised twice, and a notifier that
/// confirmed an alert (recorded as delivered in the state) never gets it again; Matrix retries reuse the
/// transaction id, so the room holds one event however often the send was cut off.
///
/// A kill lands either mid-request (the server holds the request unanswered and the test kills the run once the
/// request is in the server's log) or at a test kill point (`MVPIPE_TEST_KILL_AT`: after the Nth committed state
/// transaction, or after a notifier's peer accepted the alerts but before the state recorded it). Where each run
/// dies depends on the seed only, never on the machine's speed.
@Suite("kill -9 during delivery") struct DeliveryCrashTests {
    static let now = "2026-11-25T16:00"
    static let users = ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]

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
            http = try startHTTPServer(dir)
            let archive = try ArchiveBuilder(root: temp.file("archive"))
            for (i, user) in DeliveryCrashTests.users.enumerated() { try archive.add(300 + 50 * i, sender: user, on: Day("2026-11-25")!) }
            // The timeouts only guard against a hang: a held request ends by the test's kill, never by a timeout.
            let notifiers: [[String: Any]] = [
                ["type": "webhook", "url": "http://127.0.0.1:\(http.port)/hook/mvpipe", "timeout": 600, "max_retry_seconds": 0],
                ["type": "matrix", "homeserver": "http://127.0.0.1:\(http.port)", "room": "!ops:example.org",
                 "token_env": "CRASH_MATRIX_TOKEN", "timeout": 600, "max_retry_seconds": 0],
            ]
            config = try ConfigFile.write(ConfigFile.archive(root: temp.file("archive"), state: temp.file("state.sqlite"),
                                                             notifiers: notifiers, extra: ["host": "mx1.example.org"]),
                                          to: temp.file("pipeline.json"))
            state = StateFile(path: temp.file("state.sqlite"))
        }

        var arguments: [String] { ["run", "--config", config, "--now", DeliveryCrashTests.now] }

        func requests() throws -> [[String: Any]] { try appRequests(http) }

        /// What the state records as delivered to `notifier` (nothing before the first run made the file).
        func delivered(to notifier: String) throws -> Set<Int64> {
            FileManager.default.fileExists(atPath: state.path) ? try state.delivered(to: notifier) : []
        }

        func stop() { http.stop(); dir.remove() }
    }

    /// Where one run is cut off.
    enum Cut: CustomStringConvertible {
        /// While the request to the notifier at this path prefix is in flight.
        case midRequest(String)
        /// At a test kill point (a run that never reaches it completes).
        case at(KillPoint)

        var description: String {
            switch self {
            case .midRequest(let path): "mid-request to \(path)"
            case .at(let point): "at \(point)"
            }
        }
    }

    /// The alert ids a webhook request carried.
    static func webhookIDs(_ request: [String: Any]) throws -> Set<Int64> {
        let alerts = try jsonBody(request)["alerts"] as? [[String: Any]] ?? []
        return Set(alerts.compactMap { ($0["id"] as? NSNumber)?.int64Value })
    }

    @Test(arguments: [11, 23, 37, 41, 53, 67] as [UInt64])
    func killedMidDeliveryThenRerunDeliversEachAlertOnce(seed: UInt64) throws {
        let scenario = try Scenario()
        defer { scenario.stop() }
        var rng = SeededRandom(state: seed)
        // After each run: how many requests the server had seen, and what the state recorded as delivered.
        var marks: [(requests: Int, webhook: Set<Int64>, matrix: Set<Int64>)] = []
        var killedMidRequest = 0
        for round in 0..<3 {
            let before = try scenario.requests().count
            // Mid-request only to a notifier that still has the alerts to send (so the request comes); always on the
            // first round, so every seed cuts off at least one delivery.
            var cuts: [Cut] = []
            if try scenario.delivered(to: "webhook").isEmpty { cuts.append(.midRequest("/hook/")) }
            if try scenario.delivered(to: "matrix").isEmpty { cuts.append(.midRequest("/_matrix/")) }
            if round > 0 {
                // Commits: the archive's counts, the saved alerts, the webhook's record, Matrix's record.
                cuts += (1...4).map { .at(KillPoint(.commit, $0)) } + (1...2).map { .at(KillPoint(.delivered, $0)) }
            }
            let cut = cuts[Int.random(in: 0..<cuts.count, using: &rng)]
            switch cut {
            case .midRequest(let path):
                try scriptResponses(scenario.http, path: path + "*", responses: [["hold": "round \(round)"]])
                let run = try BackgroundRun(scenario.arguments, environment: scenario.environment)
                try Eventually.wait(for: "a request to \(path) in round \(round)", from: run) {
                    try scenario.requests().dropFirst(before).contains { ($0["path"] as? String ?? "").hasPrefix(path) }
                }
                #expect(run.kill(), "round \(round), \(cut): the run ended before the kill: \(run.stderrText)")
                killedMidRequest += 1
            case .at(let point):
                let run = try CLIRunner.run(scenario.arguments, environment: scenario.environment.merging(point.environment) { $1 })
                if run.signal != nil {
                    #expect(point.killed(run), "round \(round), \(cut): \(run.stderr)")
                } else {
                    #expect(run.status == 0, "round \(round): a run that does not reach \(point) completes: \(run.stderr)")
                }
            }
            marks.append((try scenario.requests().count, try scenario.delivered(to: "webhook"), try scenario.delivered(to: "matrix")))
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
