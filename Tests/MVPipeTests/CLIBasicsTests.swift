import Foundation
import Testing

/// The commands an admin tries first: the demo, the example config, the plugin list.
@Suite struct CLIBasicsTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func demoAlertsThePlantedUsersOnly() throws {
        let dir = try TemporaryDirectory()
        let result = try CLIRunner.run(["demo", "--directory", dir.file("demo")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("- j.doe@example.org: 640 messages"))
        #expect(result.stdout.contains("- bert@example.org: 130 messages"))
        #expect(result.stdout.contains("fired: hard-cap: 640 > limit 200"))
        #expect(!result.stdout.contains("- newsletter@example.org"))
        #expect(!result.stdout.contains("- new.hire@example.org"))
        #expect(result.stdout.contains("Second run a minute later: no new alerts"))
        // The demo's config works with the other commands too.
        let counts = try CLIRunner.run(["counts", "--config", dir.file("demo/pipeline.json"), "--json"])
        #expect(counts.status == 0)
        #expect(counts.stdout.contains("\"user\":\"j.doe@example.org\""))
    }

    @Test func exampleConfigIsValid() throws {
        let result = try CLIRunner.run(["check", "--config-only", "--config", Self.repositoryRoot + "/pipeline.example.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("assp-archive"))
        #expect(result.stdout.contains("mailx"))
    }

    @Test func pluginsListsEveryPluginWithDefaults() throws {
        let result = try CLIRunner.run(["plugins"])
        #expect(result.status == 0)
        for name in ["assp-archive", "percent-over-average", "hard-cap", "console", "mailx"] {
            #expect(result.stdout.contains("  \(name): "), "missing \(name)")
        }
        #expect(result.stdout.contains("days (integer, default 10)"))
        #expect(result.stdout.contains("percent (integer, default 150)"))
        #expect(result.stdout.contains("limit (integer, default 200)"))
        let markdown = try CLIRunner.run(["plugins", "--markdown"])
        #expect(markdown.stdout.contains("#### `hard-cap`"))
        #expect(markdown.stdout.contains("| `limit` | integer | `200` |"))
    }

    @Test func readmeReferenceMatchesThePlugins() throws {
        let readme = try String(contentsOfFile: Self.repositoryRoot + "/README.md", encoding: .utf8)
        let markdown = try CLIRunner.run(["plugins", "--markdown"])
        let begin = try #require(readme.range(of: "<!-- plugins:begin -->\n"))
        let end = try #require(readme.range(of: "<!-- plugins:end -->"))
        let embedded = String(readme[begin.upperBound..<end.lowerBound])
        #expect(embedded.trimmingCharacters(in: .whitespacesAndNewlines)
                == markdown.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                "README's plugin reference is stale: run scripts/update-readme")
    }
}
