import Foundation
import Testing

/// `pipeline.postfix.example.json`: Postfix's mail log in, the `smtp` notifier to the local Postfix on
/// 127.0.0.1:25 out, so alerts leave under the shipped systemd unit (where mailx's postdrop is forbidden).
@Suite("the Postfix + smtp example config")
struct PostfixExampleTests {
    private static let root = ToolRunner.repositoryRoot

    /// The example as a JSON object.
    private static func example() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/pipeline.postfix.example.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The `Key=value` settings of contrib/mvpipe.service's [Service] section (values of repeated keys joined).
    private static func service() throws -> [String: String] {
        let text = try String(contentsOfFile: root + "/contrib/mvpipe.service", encoding: .utf8)
        var section = "", settings: [String: String] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]", let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
            settings[key] = settings[key].map { $0 + " " + value } ?? value
        }
        return settings
    }

    @Test func itNeedsNothingTheSystemdUnitForbids() throws {
        let config = try Self.example()
        let unit = try Self.service()
        // The state is in the unit's only writable folder.
        let stateDirectory = try #require(unit["StateDirectory"])
        #expect(config["state"] as? String == "/var/lib/\(stateDirectory)/state.sqlite")
        // Every log is in a folder the unit may read.
        let readable = (unit["ReadOnlyPaths"] ?? "").split(separator: " ").map { $0.hasPrefix("-") ? String($0.dropFirst()) : String($0) }
        let sources = try #require(config["sources"] as? [[String: Any]])
        for source in sources {
            #expect(source["type"] as? String == "postfix-log")
            for path in source["paths"] as? [String] ?? [] {
                #expect(readable.contains { path.hasPrefix($0 + "/") }, "\(path) is outside the unit's ReadOnlyPaths \(readable)")
            }
        }
        #expect((unit["SupplementaryGroups"] ?? "").split(separator: " ").contains("adm"), "adm reads /var/log/mail.log")
        // The one notifier talks SMTP over loopback in clear text: an IP socket, no setgid program, no secret.
        #expect(unit["RestrictAddressFamilies"]?.split(separator: " ").contains("AF_INET") == true)
        let notifiers = try #require(config["notifiers"] as? [[String: Any]])
        try #require(notifiers.count == 1)
        #expect(notifiers[0]["type"] as? String == "smtp")
        #expect(notifiers[0]["url"] as? String == "smtp://127.0.0.1:25")
        #expect(notifiers[0].keys.allSatisfy { !$0.hasPrefix("password") && !$0.hasSuffix("_env") && !$0.hasSuffix("_file") })
    }

    @Test func itChecksAndDeliversThroughALoopbackSMTPServer() throws {
        let dir = try TempDir(); defer { dir.remove() }
        var log = ""
        for n in 0..<250 { log += PostfixLines.message(n, user: "spammer@example.org", at: n * 10) }
        for n in 250..<255 { log += PostfixLines.message(n, user: "quiet@example.org", at: n * 10) }
        try Data(log.utf8).write(to: URL(fileURLWithPath: dir.path("mail.log")))

        // The example as shipped, with only the places moved into the test's folder.
        var config = try Self.example()
        var sources = try #require(config["sources"] as? [[String: Any]])
        let shippedPaths = try #require(sources[0]["paths"] as? [String])
        sources[0]["paths"] = shippedPaths.map { dir.path(URL(fileURLWithPath: $0).lastPathComponent) }
        config["sources"] = sources
        config["state"] = dir.path("state.sqlite")
        let configPath = try ConfigFile.write(config, to: dir.path("pipeline.json"))
        let check = try CLIRunner.run(["check", "--config", configPath])
        #expect(check.status == 0, "the example does not check: \(check.stderr)")

        // Its smtp notifier pointed at a test SMTP server on another loopback port.
        let server = try startSMTPServer(dir); defer { server.stop() }
        var notifiers = try #require(config["notifiers"] as? [[String: Any]])
        let shipped = notifiers[0]
        notifiers[0]["url"] = "smtp://127.0.0.1:\(server.port)"
        config["notifiers"] = notifiers
        try ConfigFile.write(config, to: configPath)
        let run = try CLIRunner.run(["run", "--config", configPath, "--now", "2026-11-20T23:00"])
        #expect(run.status == 0, "stderr: \(run.stderr)")

        let records = try server.records()
        try #require(records.count == 1, "server stderr: \(server.stderr)")
        #expect(records[0]["mail_from"] as? String == shipped["from"] as? String)
        #expect(records[0]["rcpt_tos"] as? [String] == shipped["to"] as? [String])
        #expect(records[0]["tls"] as? Bool != true, "clear text to the local Postfix")
        let mail = String(decoding: recordBytes(records[0], "data_b64"), as: UTF8.self)
            .replacingOccurrences(of: "=\r\n", with: "")  // quoted-printable soft line breaks
        #expect(mail.contains("spammer@example.org"))
        #expect(!mail.contains("quiet@example.org"))

        // Delivered once: the next run sends nothing more.
        let again = try CLIRunner.run(["run", "--config", configPath, "--now", "2026-11-20T23:05"])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(try server.records().count == 1)
    }
}
