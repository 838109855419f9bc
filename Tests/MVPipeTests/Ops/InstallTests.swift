import Foundation
import Testing

/// `make install` into a staging folder: every file where an admin and their shell look for it.
@Suite("make install and the man page")
struct InstallTests {
    /// `make VARS… TARGET` against the already built binary (no nested SwiftPM build while tests run).
    private func make(_ target: String, destdir: String, _ extra: [String] = []) throws -> CLIRunner.Result {
        let binPath = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        return try ToolRunner.run("make", ["--no-print-directory", target, "DESTDIR=\(destdir)", "SKIP_BUILD=1",
                                           "BIN_PATH=\(binPath)", "COMPLETIONS=\(destdir)/.completions"] + extra)
    }

    @Test func installPutsEveryFileInPlaceAndTheBinaryRuns() throws {
        let dir = try TemporaryDirectory("mvpipe-install")
        let stage = dir.file("stage")
        let result = try make("install", destdir: stage)
        #expect(result.status == 0, "make install failed: \(result.stderr)")

        let fm = FileManager.default
        let binary = stage + "/usr/local/bin/mvpipe"
        #expect(fm.isExecutableFile(atPath: binary))
        let man = try String(contentsOfFile: stage + "/usr/local/share/man/man1/mvpipe.1", encoding: .utf8)
        #expect(man.hasPrefix(".\\\"") && man.contains(".TH MVPIPE 1"))
        let completions = [
            ("/usr/local/share/bash-completion/completions/mvpipe", "-F _mvpipe mvpipe"),
            ("/usr/local/share/zsh/site-functions/_mvpipe", "#compdef mvpipe"),
            ("/usr/local/share/fish/vendor_completions.d/mvpipe.fish", "complete -c 'mvpipe'"),
        ]
        for (path, marker) in completions {
            let text = (try? String(contentsOfFile: stage + path, encoding: .utf8)) ?? ""
            #expect(text.contains(marker), "\(path) is missing or not a completion script")
            #expect(text.contains("prometheus-textfile"), "\(path) does not complete run's options")
        }
        let config = try String(contentsOfFile: stage + "/etc/mvpipe/pipeline.json", encoding: .utf8)
        let example = try String(contentsOfFile: ToolRunner.repositoryRoot + "/pipeline.example.json", encoding: .utf8)
        #expect(config == example)

        let version = try ToolRunner.run(binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("0.1.0"), "\(version.stdout)")
        let check = try ToolRunner.run(binary, ["check", "--config-only", "--config", stage + "/etc/mvpipe/pipeline.json"])
        #expect(check.status == 0, "the installed example config does not check: \(check.stderr)")
    }

    @Test func reinstallKeepsTheAdminsConfigAndUninstallRemovesTheRest() throws {
        let dir = try TemporaryDirectory("mvpipe-install")
        let stage = dir.file("stage")
        try #require(try make("install", destdir: stage).status == 0)
        let configPath = stage + "/etc/mvpipe/pipeline.json"
        try Data("{\"edited\": true}\n".utf8).write(to: URL(fileURLWithPath: configPath))

        let again = try make("install", destdir: stage)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("keeping the existing"))
        #expect(try String(contentsOfFile: configPath, encoding: .utf8) == "{\"edited\": true}\n")

        let uninstall = try make("uninstall", destdir: stage)
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        let fm = FileManager.default
        for path in ["/usr/local/bin/mvpipe", "/usr/local/share/man/man1/mvpipe.1",
                     "/usr/local/share/bash-completion/completions/mvpipe", "/usr/local/share/zsh/site-functions/_mvpipe",
                     "/usr/local/share/fish/vendor_completions.d/mvpipe.fish"] {
            #expect(!fm.fileExists(atPath: stage + path), "\(path) survived uninstall")
        }
        #expect(fm.fileExists(atPath: configPath), "uninstall must keep the admin's config")
    }

    @Test func prefixUsrUsesDebiansVendorFolders() throws {
        let dir = try TemporaryDirectory("mvpipe-install")
        let stage = dir.file("stage")
        let result = try make("install", destdir: stage, ["PREFIX=/usr"])
        #expect(result.status == 0, "\(result.stderr)")
        let fm = FileManager.default
        for path in ["/usr/bin/mvpipe", "/usr/share/man/man1/mvpipe.1", "/usr/share/bash-completion/completions/mvpipe",
                     "/usr/share/zsh/vendor-completions/_mvpipe", "/usr/share/fish/vendor_completions.d/mvpipe.fish",
                     "/etc/mvpipe/pipeline.json"] {
            #expect(fm.fileExists(atPath: stage + path), "\(path) missing")
        }
        let units = try make("install-systemd", destdir: stage, ["PREFIX=/usr"])
        #expect(units.status == 0, "\(units.stderr)")
        let service = try String(contentsOfFile: stage + "/etc/systemd/system/mvpipe.service", encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/bin/mvpipe run "))
        #expect(fm.fileExists(atPath: stage + "/etc/systemd/system/mvpipe.timer"))
    }

    @Test func manPageDescribesEveryOptionOfEveryCommand() throws {
        let man = try String(contentsOfFile: ToolRunner.repositoryRoot + "/docs/mvpipe.1", encoding: .utf8)
        let dump = try CLIRunner.run(["--experimental-dump-help"])
        try #require(dump.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        let subcommands = try #require(command["subcommands"] as? [[String: Any]])
        #expect(subcommands.count >= 8)
        for sub in subcommands {
            let name = try #require(sub["commandName"] as? String)
            guard name != "help" else { continue }
            #expect(man.contains(".B \(name)") || man.contains(".BI \(name)"), "command \(name) missing from docs/mvpipe.1")
            for argument in sub["arguments"] as? [[String: Any]] ?? [] {
                guard argument["shouldDisplay"] as? Bool != false else { continue }
                for option in argument["names"] as? [[String: Any]] ?? [] where option["kind"] as? String == "long" {
                    let long = try #require(option["name"] as? String)
                    let roff = "\\-\\-" + long.replacingOccurrences(of: "-", with: "\\-")
                    #expect(man.contains(roff), "\(name) --\(long) is not described in docs/mvpipe.1")
                }
            }
        }
    }

    @Test(.enabled(if: ToolRunner.which("man") != nil, "man is not installed"))
    func manPageRendersWithoutWarnings() throws {
        let result = try ToolRunner.run("man", ["--warnings", "-l", ToolRunner.repositoryRoot + "/docs/mvpipe.1"],
                                        environment: ["MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0", "LC_ALL": "C.UTF-8"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "groff warnings: \(result.stderr)")
        // Bold and underline come as overstrikes (X\bX, _\bX) when not on a terminal.
        let plain = result.stdout.replacingOccurrences(of: ".\u{8}", with: "", options: .regularExpression)
        #expect(plain.contains("EXIT STATUS"))
        #expect(plain.contains("--prometheus-textfile path"))
    }
}
