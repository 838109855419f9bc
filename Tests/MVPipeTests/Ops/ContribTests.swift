import Foundation
import Testing

/// contrib/: the systemd units and the cron line an admin copies.
@Suite("contrib: systemd units and cron line")
struct ContribTests {
    private static let contrib = ToolRunner.repositoryRoot + "/contrib"
    private static let hasSystemdAnalyze = ToolRunner.which("systemd-analyze") != nil

    private func read(_ name: String) throws -> String {
        try String(contentsOfFile: Self.contrib + "/" + name, encoding: .utf8)
    }

    /// The `Key=value` settings of one unit file section (repeated keys keep every value).
    private func settings(_ unit: String, section: String) -> [String: [String]] {
        var current = ""
        var result: [String: [String]] = [:]
        for raw in unit.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { current = String(line.dropFirst().dropLast()); continue }
            guard current == section, let eq = line.firstIndex(of: "=") else { continue }
            result[String(line[..<eq]), default: []].append(String(line[line.index(after: eq)...]))
        }
        return result
    }

    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed: the units are not verified"))
    func unitsPassSystemdAnalyzeVerify() throws {
        let dir = try TemporaryDirectory("mvpipe-units")
        // verify checks that ExecStart's binary exists and that man:mvpipe(1) resolves: point both at this build.
        let service = try read("mvpipe.service").replacingOccurrences(of: "/usr/local/bin/mvpipe", with: CLIRunner.binary)
        try dir.write("mvpipe.service", service)
        try dir.write("mvpipe.timer", try read("mvpipe.timer"))
        try dir.write("man/man1/mvpipe.1", try String(contentsOfFile: ToolRunner.repositoryRoot + "/docs/mvpipe.1", encoding: .utf8))
        let result = try ToolRunner.run("systemd-analyze", ["verify", dir.file("mvpipe.service"), dir.file("mvpipe.timer")],
                                        in: dir.path, environment: ["MANPATH": dir.file("man"), "SYSTEMD_PAGER": ""])
        #expect(result.status == 0, "systemd-analyze verify: \(result.stderr)")
        // verify exits 0 on unknown keys and bad values too; it only warns.
        #expect(result.stderr.isEmpty, "systemd-analyze verify warned: \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }

    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed: the sandbox is not scored"))
    func serviceExposureScoreIsLow() throws {
        // systemd's own 0-10 exposure score; fails above 2.0 ("OK" ends at 4.9, a bare service scores 9.6).
        let result = try ToolRunner.run("systemd-analyze", ["security", "--offline=true", "--threshold=20", "--no-pager",
                                                            Self.contrib + "/mvpipe.service"])
        #expect(result.status == 0, "exposure above 2.0:\n\(result.stdout.suffix(600))\n\(result.stderr)")
        #expect(result.stdout.contains("Overall exposure level for mvpipe.service"))
    }

    @Test func serviceHasTheHardeningTheREADMEPromises() throws {
        let service = settings(try read("mvpipe.service"), section: "Service")
        let expected: [String: String] = [
            "Type": "oneshot", "DynamicUser": "yes", "StateDirectory": "mvpipe", "ProtectSystem": "strict",
            "ProtectHome": "yes", "PrivateTmp": "yes", "NoNewPrivileges": "yes", "CapabilityBoundingSet": "",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "SystemCallFilter": "@system-service",
        ]
        for (key, value) in expected {
            #expect(service[key] == [value], "\(key)=\(value) expected, found \(service[key] ?? [])")
        }
        #expect(service["ReadOnlyPaths"]?.first?.split(separator: " ").contains("/var/log") == true)
        // The only writable place is the state folder, where pipeline.example.json keeps the state.
        #expect(service["ReadWritePaths"] == nil)
        let example = try String(contentsOfFile: ToolRunner.repositoryRoot + "/pipeline.example.json", encoding: .utf8)
        #expect(example.contains("\"/var/lib/\(service["StateDirectory"]?.first ?? "?")/state.sqlite\""))
        #expect(service["ExecStart"] == ["/usr/local/bin/mvpipe run --config /etc/mvpipe/pipeline.json"])

        let timer = settings(try read("mvpipe.timer"), section: "Timer")
        #expect(timer["OnCalendar"] == ["*:0/5"])
        #expect(timer["Persistent"] == ["true"])
        #expect(settings(try read("mvpipe.timer"), section: "Install")["WantedBy"] == ["timers.target"])
    }

    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed"))
    func timerFiresEveryFiveMinutes() throws {
        let result = try ToolRunner.run("systemd-analyze", ["calendar", "--iterations=3", "*:0/5"],
                                        environment: ["TZ": "UTC", "SYSTEMD_PAGER": ""])
        #expect(result.status == 0, "\(result.stderr)")
        let minutes = result.stdout.split(separator: "\n").filter { $0.contains("UTC") && !$0.contains("Original") }
            .compactMap { line -> Int? in
                guard let time = line.split(separator: " ").first(where: { $0.filter { $0 == ":" }.count == 2 }) else { return nil }
                return Int(time.split(separator: ":")[1])
            }
        #expect(minutes.count >= 3)
        #expect(minutes.allSatisfy { $0 % 5 == 0 }, "\(result.stdout)")
    }

    @Test func cronLineHasFiveTimeFieldsAUserAndTheServicesCommand() throws {
        let text = try read("mvpipe.cron")
        #expect(text.hasSuffix("\n"), "cron ignores a last line without a newline")
        let jobs = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !Self.isEnvironmentLine($0) }
        try #require(jobs.count == 1, "expected one job line, found \(jobs)")
        let fields = jobs[0].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        try #require(fields.count >= 7, "five time fields, a user and a command expected: \(jobs[0])")
        let ranges = [0...59, 0...23, 1...31, 1...12, 0...7]
        for (field, range) in zip(fields[0..<5], ranges) {
            #expect(Self.isCronField(field, range), "bad time field '\(field)' (allowed \(range))")
        }
        #expect(fields[0] == "*/5", "every 5 minutes")
        #expect(fields[5].range(of: "^[a-z_][a-z0-9_-]*$", options: .regularExpression) != nil, "bad user '\(fields[5])'")
        #expect(fields[5] != "root", "mvpipe needs no root")
        // The same command line as the systemd service.
        let command = fields[6...].joined(separator: " ")
        let exec = settings(try read("mvpipe.service"), section: "Service")["ExecStart"]?.first
        #expect(command == exec)
        // And the command line parses: the binary under test accepts exactly these arguments.
        let help = try CLIRunner.run(Array(fields[7...]) + ["--help"])
        #expect(help.status == 0, "\(help.stderr)")
    }

    /// `NAME=value` lines cron.d allows before the jobs.
    private static func isEnvironmentLine(_ line: String) -> Bool {
        line.range(of: "^[A-Za-z_][A-Za-z0-9_]*=", options: .regularExpression) != nil
    }

    /// One cron time field: `*`, `*/n`, numbers, ranges `a-b` (with `/n`), and lists of those, within `range`.
    static func isCronField(_ field: String, _ range: ClosedRange<Int>) -> Bool {
        field.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { item in
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return false }
            if parts.count == 2 { guard let step = Int(parts[1]), step > 0, step <= range.upperBound else { return false } }
            if parts[0] == "*" { return true }
            let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0.map(range.contains) == true }) else { return false }
            return bounds.count == 1 || bounds[0]! <= bounds[1]!
        }
    }

    @Test func cronFieldCheckerRejectsBadFields() {
        #expect(Self.isCronField("*/5", 0...59))
        #expect(Self.isCronField("1-5,10", 0...59))
        #expect(!Self.isCronField("60", 0...59))
        #expect(!Self.isCronField("*/0", 0...59))
        #expect(!Self.isCronField("5-1", 0...59))
        #expect(!Self.isCronField("mon", 0...7))
        #expect(!Self.isCronField("", 0...59))
    }
}
