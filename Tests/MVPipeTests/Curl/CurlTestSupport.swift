@testable import Notifiers
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Failures while preparing test fixtures (not the code under test).
struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Locations and interpreters used by the tests.
enum TestEnv {
    /// `<repo>/Tests/Servers`, found relative to this source file (`Tests/MVPipeTests/Curl/`).
    static let serversDir: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Servers")

    /// A Python 3 that can import aiosmtpd (Debian's python3-aiosmtpd lives
    /// in /usr/bin/python3, which may differ from `python3` on PATH).
    /// Override with MVP_TEST_PYTHON.
    static let python: String? = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["MVP_TEST_PYTHON"] { candidates.append(env) }
        candidates += ["/usr/bin/python3", "/usr/local/bin/python3"]
        for path in ProcessInfo.processInfo.environment["PATH", default: ""].split(separator: ":") {
            candidates.append("\(path)/python3")
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let r = try? run(candidate, ["-c", "import aiosmtpd"]), r.status == 0 { return candidate }
        }
        return nil
    }()

    static func requirePython() throws -> String {
        guard let python else {
            throw SetupError("no python3 with aiosmtpd found (apt-get install python3-aiosmtpd or set MVP_TEST_PYTHON)")
        }
        return python
    }

    /// Runs a command to completion; returns its exit status and combined output.
    @discardableResult
    static func run(_ executable: String, _ args: [String], cwd: URL? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A fresh temporary directory, removed by `remove()`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mvpipe-curl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A test server subprocess (one of Tests/Servers/*.py).
///
/// Start: the script binds 127.0.0.1 port 0 (the kernel picks a free port,
/// so there is no race) and prints the port as its first stdout line; `init`
/// blocks until that line arrives. Stop: `stop()` sends SIGTERM and waits.
/// Safety net: the server's stdin is a pipe held by this object, and the
/// scripts exit on stdin EOF, so they also die if the test process crashes.
final class ServerProcess {
    let port: Int
    let logPath: String
    private let process: Process
    private let stdinPipe: Pipe
    private let stderrPath: String
    private var stopped = false

    init(script: String, args: [String], dir: TempDir, name: String, port requestedPort: Int = 0) throws {
        let python = try TestEnv.requirePython()
        logPath = dir.path("\(name).jsonl")
        stderrPath = dir.path("\(name).stderr")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)

        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", TestEnv.serversDir.appendingPathComponent(script).path,
                             "--port", "\(requestedPort)", "--log", logPath] + args
        stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()

        // Read the first line: the bound port (EOF means the server died).
        var line = Data()
        let reader = stdoutPipe.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard let port = Int(text.trimmingCharacters(in: .whitespaces)), port > 0 else {
            process.terminate()
            process.waitUntilExit()
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw SetupError("\(script) did not report a port (got \(String(reflecting: text))): \(err)")
        }
        self.port = port
    }

    /// Stops the server (SIGTERM, then waits for exit). Idempotent.
    func stop() {
        guard !stopped else { return }
        stopped = true
        if process.isRunning { process.terminate() }
        try? stdinPipe.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { stop() }

    /// The server's stderr so far (for diagnostics).
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Every complete JSON-lines record the server wrote so far (see ``RecordFile``).
    func records() throws -> [[String: Any]] {
        try RecordFile.records(logPath)
    }
}

/// Starts `Tests/Servers/http_server.py` (on a free port unless `port` is given).
func startHTTPServer(_ dir: TempDir, args: [String] = [], port: Int = 0, name: String = "http") throws -> ServerProcess {
    try ServerProcess(script: "http_server.py", args: args, dir: dir, name: name, port: port)
}

/// Starts `Tests/Servers/smtp_server.py` (on a free port unless `port` is given).
func startSMTPServer(_ dir: TempDir, args: [String] = [], port: Int = 0, name: String = "smtp") throws -> ServerProcess {
    try ServerProcess(script: "smtp_server.py", args: args, dir: dir, name: name, port: port)
}

/// Scripts the next responses for `path` via `POST /_control/script`.
func scriptResponses(_ server: ServerProcess, path: String, responses: [[String: Any]]) throws {
    let body = try JSONSerialization.data(withJSONObject: ["path": path, "responses": responses])
    let r = try HTTPRequest(method: .post, url: "http://127.0.0.1:\(server.port)/_control/script",
                            headers: [("Content-Type", "application/json")], body: Array(body)).perform()
    guard r.status == 200 else { throw SetupError("scripting failed: \(r.status) \(r.bodyString)") }
}

/// Lets requests held by a `"hold": name` script answer (`POST /_control/release`).
func releaseHeld(_ server: ServerProcess, name: String) throws {
    let body = try JSONSerialization.data(withJSONObject: ["name": name])
    let r = try HTTPRequest(method: .post, url: "http://127.0.0.1:\(server.port)/_control/release",
                            headers: [("Content-Type", "application/json")], body: Array(body)).perform()
    guard r.status == 200 else { throw SetupError("release failed: \(r.status) \(r.bodyString)") }
}

/// Requests recorded by the HTTP server, control requests excluded.
func appRequests(_ server: ServerProcess) throws -> [[String: Any]] {
    try server.records().filter { !(($0["path"] as? String) ?? "").hasPrefix("/_control/") }
}

/// Decodes a record's base64 field (`body_b64` / `data_b64`).
func recordBytes(_ record: [String: Any], _ key: String) -> [UInt8] {
    guard let s = record[key] as? String, let d = Data(base64Encoded: s) else { return [] }
    return Array(d)
}

/// A recorded request's header values for `name` (case-insensitive).
func headerValues(_ record: [String: Any], _ name: String) -> [String] {
    let pairs = record["headers"] as? [[String]] ?? []
    return pairs.filter { $0.count == 2 && $0[0].lowercased() == name.lowercased() }.map { $0[1] }
}

/// A TCP port on 127.0.0.1 with nothing listening: bind port 0, read the
/// port the kernel chose, close the socket without listening.
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SetupError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { ptr in
        ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
    }
    guard bound else { throw SetupError("bind/getsockname failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Throwaway CA and server certificate (CN/SAN localhost + 127.0.0.1),
/// generated once per test run with the `openssl` CLI.
struct TLSFiles: Sendable {
    let caFile: String
    let certFile: String
    let keyFile: String

    static let shared: Result<TLSFiles, SetupError> = {
        do { return .success(try generate()) } catch let e as SetupError { return .failure(e) } catch {
            return .failure(SetupError("\(error)"))
        }
    }()

    static func get() throws -> TLSFiles { try shared.get() }

    private static func generate() throws -> TLSFiles {
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let openssl else { throw SetupError("openssl CLI not installed") }
        let dir = try TempDir()
        let caCnf = """
            [req]
            distinguished_name = dn
            prompt = no
            x509_extensions = v3_ca
            [dn]
            CN = mvpipe test CA
            [v3_ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash

            """
        let ext = """
            basicConstraints = CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid

            """
        try caCnf.write(toFile: dir.path("ca.cnf"), atomically: true, encoding: .utf8)
        try ext.write(toFile: dir.path("server.ext"), atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let steps: [[String]] = [
            ["req", "-x509", "-new"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-config", "ca.cnf"],
            ["req", "-new"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext"],
        ]
        for step in steps {
            let r = try TestEnv.run(openssl, step, cwd: dir.url)
            guard r.status == 0 else { throw SetupError("openssl \(step.joined(separator: " ")) failed: \(r.output)") }
        }
        return TLSFiles(caFile: dir.path("ca.pem"), certFile: dir.path("server.pem"), keyFile: dir.path("server.key"))
    }
}
