import Foundation
import Pipeline
import Testing

/// `mvpipe run --prometheus-textfile`: node_exporter textfile metrics, end to end through the CLI.
@Suite("prometheus textfile metrics")
struct MetricsTests {
    private static let now = "2026-11-25T16:00"
    private static let day = Day("2026-11-25")!
    /// A sender folder name that tries to close the label, add a sample and break the line.
    private static let hostile = "evil\"} 1\nmvpipe_run_exit_code{x=\"\\\"} 0\n# TYPE x counter@example.org".lowercased()

    private func read(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> PrometheusText {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try PrometheusText(text)
    }

    @Test func aRunWritesEveryFamilyWithValuesAndEscapedHostileNames() throws {
        let dir = try TemporaryDirectory("mvpipe-metrics")
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(500, sender: Self.hostile, on: Self.day)   // over the hard cap: alerts
        try archive.add(40, sender: "anna@example.org", on: Self.day)
        try archive.add(30, sender: "bert@example.org", on: Self.day)
        try archive.add(20, sender: "carl@example.org", on: Self.day)
        let log = try String(contentsOfFile: ToolRunner.repositoryRoot + "/Tests/Fixtures/postfix/postfix-rsyslog-rfc3339.log", encoding: .utf8)
        try dir.write("mail.log", log)
        let config = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                        notifiers: [["type": "console"]],
                                        extra: ["sources": [["type": "assp-archive", "path": dir.file("archive")],
                                                            ["type": "postfix-log", "paths": [dir.file("mail.log")]]]])
        let path = try ConfigFile.write(config, to: dir.file("pipeline.json"))
        let metricsDir = dir.file("textfile")
        try FileManager.default.createDirectory(atPath: metricsDir, withIntermediateDirectories: true)
        let metricsPath = metricsDir + "/mvpipe.prom"
        try Data("stale\n".utf8).write(to: URL(fileURLWithPath: metricsPath))
        let before = Date().timeIntervalSince1970

        let result = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--prometheus-textfile", metricsPath,
                                        "--prometheus-top", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let m = try read(metricsPath)

        // Every family has HELP and TYPE gauge.
        let families = ["mvpipe_run_duration_seconds", "mvpipe_run_timestamp_seconds", "mvpipe_run_exit_code",
                        "mvpipe_source_up", "mvpipe_source_skipped", "mvpipe_source_lines_read",
                        "mvpipe_alerts_raised", "mvpipe_alerts_raised_by_detector", "mvpipe_alerts_pending",
                        "mvpipe_alerts_delivered", "mvpipe_user_messages_today"]
        for family in families {
            #expect(m.type[family] == "gauge", "\(family) has no TYPE gauge")
            #expect(!(m.help[family] ?? "").isEmpty, "\(family) has no HELP")
            #expect(!m.all(family).isEmpty, "\(family) has no sample")
        }
        #expect(Set(m.samples.map(\.name)).isSubset(of: Set(families)), "unexpected series: \(Set(m.samples.map(\.name)).subtracting(families))")

        #expect(m.value("mvpipe_run_exit_code") == 0)
        let duration = try #require(m.value("mvpipe_run_duration_seconds"))
        #expect(duration >= 0 && duration < 60)
        let stamp = try #require(m.value("mvpipe_run_timestamp_seconds"))
        #expect(stamp >= before.rounded(.down) && stamp <= Date().timeIntervalSince1970 + 1, "the real time, not --now")
        #expect(m.value("mvpipe_source_up", ["source": "assp-archive"]) == 1)
        #expect(m.value("mvpipe_source_up", ["source": "postfix-log"]) == 1)
        #expect(m.value("mvpipe_source_skipped", ["source": "assp-archive"]) == 0)
        #expect(m.value("mvpipe_source_lines_read", ["source": "postfix-log"]) == 110, "the fixture has 110 lines")
        #expect(m.value("mvpipe_source_lines_read", ["source": "assp-archive"]) == nil, "an archive reads no lines")
        #expect(m.value("mvpipe_alerts_raised") == 1)
        #expect(m.value("mvpipe_alerts_raised_by_detector", ["detector": "hard-cap"]) == 1)
        #expect(m.value("mvpipe_alerts_raised_by_detector", ["detector": "percent-over-average"]) == 1)
        #expect(m.value("mvpipe_alerts_delivered", ["notifier": "console"]) == 1)
        #expect(m.value("mvpipe_alerts_pending", ["notifier": "console"]) == 0)

        // Top 3 only, busiest first, and the hostile name comes back exactly as it was (label escaping).
        let users = m.all("mvpipe_user_messages_today")
        #expect(users.map { $0.labels["user"] ?? "" } == [Self.hostile, "anna@example.org", "bert@example.org"])
        #expect(users.map(\.value) == [500, 40, 30])
        #expect(m.all("mvpipe_run_exit_code").count == 1, "the hostile name injected a sample")
        #expect(!m.help.keys.contains("x") && m.samples.allSatisfy { $0.name.hasPrefix("mvpipe_") }, "the hostile name injected a line")

        // Atomic replacement: the stale file is gone, no temporary file is left, the file is world-readable.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: metricsDir)
        #expect(leftovers == ["mvpipe.prom"])
        let mode = (try FileManager.default.attributesOfItem(atPath: metricsPath)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o644)

        // A second run a minute later: nothing new raised, the counts stay.
        let again = try CLIRunner.run(["run", "--config", path, "--now", "2026-11-25T16:01", "--prometheus-textfile", metricsPath])
        #expect(again.status == 0, "\(again.stderr)")
        let m2 = try read(metricsPath)
        #expect(m2.value("mvpipe_alerts_raised") == 0)
        #expect(m2.value("mvpipe_alerts_delivered", ["notifier": "console"]) == 0)
        #expect(m2.value("mvpipe_source_lines_read", ["source": "postfix-log"]) == 0, "nothing new in the log")
        #expect(m2.all("mvpipe_user_messages_today").count == 4, "default top 10 names all four users")
    }

    @Test func failedDeliveryAndFailedSourceAreVisible() throws {
        let dir = try TemporaryDirectory("mvpipe-metrics")
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(300, sender: "bulk@example.org", on: Self.day)
        let port = try closedPort()
        let config = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                        notifiers: [["type": "console"],
                                                    ["type": "webhook", "name": "hook \"ops\"", "url": "http://127.0.0.1:\(port)/x",
                                                     "timeout": 2, "max_retry_seconds": 0.2]],
                                        extra: ["sources": [["type": "assp-archive", "path": dir.file("archive")],
                                                            ["type": "assp-archive", "name": "gone", "path": dir.file("missing")]]])
        let path = try ConfigFile.write(config, to: dir.file("pipeline.json"))
        let metricsPath = dir.file("mvpipe.prom")
        let result = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--prometheus-textfile", metricsPath])
        #expect(result.status == 75, "\(result.stderr)")
        let m = try read(metricsPath)
        #expect(m.value("mvpipe_run_exit_code") == 75)
        #expect(m.value("mvpipe_source_up", ["source": "assp-archive"]) == 1)
        #expect(m.value("mvpipe_source_up", ["source": "gone"]) == 0)
        #expect(m.value("mvpipe_alerts_raised") == 1)
        #expect(m.value("mvpipe_alerts_delivered", ["notifier": "console"]) == 1)
        #expect(m.value("mvpipe_alerts_pending", ["notifier": "console"]) == 0)
        #expect(m.value("mvpipe_alerts_delivered", ["notifier": "hook \"ops\""]) == 0)
        #expect(m.value("mvpipe_alerts_pending", ["notifier": "hook \"ops\""]) == 1)
    }

    @Test func aRunThatFailsEarlyStillWritesWhatItKnows() throws {
        let dir = try TemporaryDirectory("mvpipe-metrics")
        try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: true)
        // The state is not a database: exit 74 before anything is collected.
        try dir.write("state.sqlite", String(repeating: "not a database ", count: 200))
        let path = try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite")),
                                        to: dir.file("pipeline.json"))
        let metricsPath = dir.file("mvpipe.prom")
        let result = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--prometheus-textfile", metricsPath])
        #expect(result.status == 74, "\(result.stderr)")
        let m = try read(metricsPath)
        #expect(m.value("mvpipe_run_exit_code") == 74)
        #expect(m.value("mvpipe_run_duration_seconds") != nil)
        #expect(m.value("mvpipe_run_timestamp_seconds") != nil)
        #expect(m.all("mvpipe_source_up").isEmpty, "unknown, so left out rather than reported")
        #expect(m.all("mvpipe_user_messages_today").isEmpty)

        // An invalid config: exit 78, and the metrics say so.
        try dir.write("bad.json", "{\"sources\": 1}")
        let bad = try CLIRunner.run(["run", "--config", dir.file("bad.json"), "--prometheus-textfile", metricsPath])
        #expect(bad.status == 78)
        #expect(try read(metricsPath).value("mvpipe_run_exit_code") == 78)
    }

    @Test func dryRunWritesNoMetricsAndBadOptionsAreUsageErrors() throws {
        let dir = try TemporaryDirectory("mvpipe-metrics")
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(5, sender: "a@example.org", on: Self.day)
        let path = try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite")),
                                        to: dir.file("pipeline.json"))
        #expect(try CLIRunner.run(["run", "--config", path, "--now", Self.now]).status == 0)
        let dry = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--dry-run", "--prometheus-textfile", dir.file("m.prom")])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("m.prom")))
        let badTop = try CLIRunner.run(["run", "--config", path, "--prometheus-top", "-1"])
        #expect(badTop.status == 64)
        // A folder that does not exist: the run's own result stands, the problem is said on stderr.
        let missing = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--prometheus-textfile", dir.file("nope/m.prom")])
        #expect(missing.status == 0)
        #expect(missing.stderr.contains("--prometheus-textfile"))
    }
}
