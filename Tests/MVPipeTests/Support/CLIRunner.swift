import Foundation

/// Runs the built `mvpipe` binary as a user would, and captures what it says.
struct CLIRunner {
    /// What one invocation produced.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process (SIGKILL from a test kill point), nil when it exited.
        var signal: Int32? = nil

        /// Non-empty stdout lines.
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// The `mvpipe` binary the test target was built with.
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["MVPIPE_BIN"] { return explicit }
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("mvpipe"))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("mvpipe"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("mvpipe"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/mvpipe"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        fatalError("mvpipe binary not found; build it first or set MVPIPE_BIN (looked at \(candidates.map(\.path)))")
    }()

    /// Runs `mvpipe ARGS` with an environment (added to a minimal one) and optional standard input. A run still
    /// going after `timeout` seconds is terminated (a hang guard: status 15 fails the test, never passes it).
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                    timeout: TimeInterval = Eventually.deadline) throws -> Result {
        try run(launcher: [], arguments, environment: environment, stdin: stdin, timeout: timeout)
    }

    /// Runs `LAUNCHER... mvpipe ARGS` (for example `setpriv --reuid=65534 ... --` to run it as another account).
    static func run(launcher: [String], binary: String = CLIRunner.binary, _ arguments: [String],
                    environment: [String: String] = [:], stdin: String? = nil,
                    timeout: TimeInterval = Eventually.deadline) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher.first ?? binary)
        process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [binary] + arguments
        process.environment = Self.environment(adding: environment)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let outData = ReadAll(out.fileHandleForReading)
        let errData = ReadAll(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            // SIGKILL: a process started from a test thread may inherit a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData.value(), as: UTF8.self),
                      stderr: String(decoding: errData.value(), as: UTF8.self),
                      signal: process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil)
    }
}

extension CLIRunner {
    /// The minimal environment mvpipe runs with in tests, plus `extra`. Sanitizer options (ASAN_OPTIONS,
    /// LSAN_OPTIONS, TSAN_OPTIONS, UBSAN_OPTIONS: suppressions, see scripts/sanitized-test) and SWIFT_BACKTRACE pass
    /// through, so a sanitized mvpipe follows the same rules as the sanitized test process.
    static func environment(adding extra: [String: String]) -> [String: String] {
        var env = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "TZ": "UTC"]
        for (key, value) in ProcessInfo.processInfo.environment where key.hasSuffix("SAN_OPTIONS") || key == "SWIFT_BACKTRACE" {
            env[key] = value
        }
        env.merge(extra) { _, new in new }
        return env
    }
}

/// Reads a pipe to its end on a background thread.
final class ReadAll: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func value() -> Data {
        done.wait()
        done.signal()
        return data
    }
}
