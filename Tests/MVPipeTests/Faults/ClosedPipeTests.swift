import Foundation
import Pipeline
import Testing

/// `mvpipe counts --json | head -1`: a reader that goes away ends mvpipe quietly, as it ends grep or jq, whether
/// SIGPIPE is at its default (a shell) or ignored (systemd's default for services).
@Suite("closed standard output") struct ClosedPipeTests {
    enum Disposition: String, CaseIterable, CustomTestStringConvertible {
        case defaultAction, ignored
        var testDescription: String { rawValue }
    }

    /// How a process ended.
    struct Ending: CustomStringConvertible {
        var status: Int32
        var signal: Int32?
        var stderr: String
        var description: String { signal.map { "killed by signal \($0)" } ?? "exit \(status)" }
    }

    /// Texts that mean mvpipe crashed or complained instead of ending quietly.
    static let complaints = ["Fatal error", "Broken pipe", "broken pipe", "stack trace", "Crash", "Error:", "error"]

    /// Every command that writes to stdout, against one fixture (an archive with a user over the limit).
    private func commands(_ dir: TemporaryDirectory) throws -> [[String]] {
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(400, sender: "bulk@example.org", on: Day("2026-11-25")!)
        try archive.add(3, sender: "quiet@example.org", on: Day("2026-11-24")!)
        let config = try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                                             timezone: "UTC"), to: dir.file("pipeline.json"))
        let now = ["--now", "2026-11-25T16:00"]
        return [
            ["run", "--config", config, "--json", "--dry-run"] + now,
            ["run", "--config", config, "--json"] + now,  // raises the alert, delivers it to the console (stderr), prints it
            ["counts", "--config", config, "--json", "--day", "2026-11-25"],
            ["counts", "--config", config, "--day", "2026-11-25"],
            ["check", "--config", config],
            ["explain", "--config", config, "bulk@example.org", "--day", "2026-11-25"],
            ["backtest", "--config", config, "--from", "2026-11-20", "--to", "2026-11-25", "--json"],
            ["state", "check", "--config", config],
            ["state", "export", "--config", config],
            ["plugins"], ["plugins", "--markdown"], ["schema"], ["--help"], ["--version"],
        ]
    }

    @Test(arguments: Disposition.allCases)
    func aClosedStdoutEndsEveryCommandQuietly(_ disposition: Disposition) throws {
        let dir = try TemporaryDirectory("mvpipe-closed-pipe")
        for arguments in try commands(dir) {
            let ending = try Self.runWithClosedStdout(arguments, disposition: disposition, stderrFile: dir.file("stderr"))
            let label = arguments.prefix(2).joined(separator: " ")
            let ended: Bool
            switch disposition {
            case .defaultAction:
                // Killed by SIGPIPE at the first write, like any filter.
                ended = ending.signal == SIGPIPE
            case .ignored where arguments == ["--help"] || arguments == ["--version"]:
                // argument-parser prints these through stdio, which drops what it cannot write.
                ended = ending.signal == nil && ending.status == 0
            case .ignored:
                // The write fails with EPIPE: mvpipe stops and exits 141, as a shell reports a filter SIGPIPE killed.
                ended = ending.signal == nil && ending.status == 141
            }
            // The console notifier's report goes to stderr under --json; nothing else may be said there.
            // backtest --json's note on a short history (stdout stays JSON) is not a complaint.
            let said = arguments[0] == "run" ? "" : ending.stderr.split(separator: "\n").filter { !$0.hasPrefix("mvpipe: note: ") }.joined()
            let complained = Self.complaints.filter { ending.stderr.contains($0) }
            #expect(ended && said.isEmpty && complained.isEmpty,
                    "\(label): \(ending), complaints \(complained); stderr: \(ending.stderr.prefix(300))")
        }
    }

    /// Runs mvpipe with stdout on a pipe whose reading end is already closed, stderr to `stderrFile`, and SIGPIPE
    /// at its default action (as from a shell) or ignored (as under systemd, through a python3 that ignores it).
    static func runWithClosedStdout(_ arguments: [String], disposition: Disposition, stderrFile: String) throws -> Ending {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SetupError("pipe() failed") }
        close(fds[0])
        defer { close(fds[1]) }
        var executable = CLIRunner.binary
        var argv = [executable] + arguments
        if disposition == .ignored {
            executable = try TestEnv.requirePython()
            argv = [executable, "-c", "import os, signal, sys; signal.signal(signal.SIGPIPE, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])",
                    CLIRunner.binary] + arguments
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let environment = CLIRunner.environment(adding: [:]).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup($0) } + [nil]
        defer { (cArgv + cEnv).forEach { free($0) } }
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, cArgv, cEnv)
        guard spawned == 0 else { throw SetupError("posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let stderr = (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? ""
        let signaled = (status & 0x7F) != 0 && (status & 0x7F) != 0x7F
        return Ending(status: (status >> 8) & 0xFF, signal: signaled ? status & 0x7F : nil, stderr: stderr)
    }
}
