import Foundation

/// Runs a system tool (make, systemd-analyze, man) as a test would type it, and captures what it says.
enum ToolRunner {
    /// The repository this test target was built from.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The absolute path of `name` on PATH, if any.
    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        for folder in folders {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `tool ARGS` in `directory` with `environment` added; fails the test's setup when the tool is missing.
    static func run(_ tool: String, _ arguments: [String], in directory: String = repositoryRoot,
                    environment: [String: String] = [:]) throws -> CLIRunner.Result {
        guard let executable = which(tool) else { throw ToolMissing(tool: tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = ReadAll(out.fileHandleForReading), errData = ReadAll(err.fileHandleForReading)
        process.waitUntilExit()
        return CLIRunner.Result(status: process.terminationStatus,
                                stdout: String(decoding: outData.value(), as: UTF8.self),
                                stderr: String(decoding: errData.value(), as: UTF8.self))
    }

    /// A tool a test needs is not installed.
    struct ToolMissing: Error, CustomStringConvertible {
        let tool: String
        var description: String { "\(tool) is not installed (scripts/setup or scripts/test-setup installs it)" }
    }
}
