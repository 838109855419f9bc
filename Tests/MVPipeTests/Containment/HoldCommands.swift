import Foundation

/// Whether the built mvpipe has the containment commands (`mvpipe --help` lists `holds` and `release`).
enum HoldCommands {
    static let built: Bool = {
        guard let help = try? CLIRunner.run(["--help"], timeout: 60) else { return false }
        let text = help.stdout + help.stderr
        return text.contains("\n  holds ") && text.contains("\n  release ")
    }()
}
