import Foundation

/// A stand-in for the system logger: a Unix datagram socket at /dev/log that keeps what arrives.
///
/// Only made where no syslog daemon owns /dev/log (CI containers), and removed again afterwards. There is one
/// /dev/log, so tests in different suites take turns: a sink is held by one test at a time.
final class SyslogSink {
    static let path = "/dev/log"

    /// Whether a sink can be made here: nothing at /dev/log when the tests first asked, and permission to create
    /// it (decided once, so a sink another test holds does not make the answer change).
    static let available: Bool = !FileManager.default.fileExists(atPath: path) && access("/dev", W_OK) == 0

    /// Held from `init` to `deinit`: one sink at a time in this process.
    private static let turn = DispatchSemaphore(value: 1)

    private let fd: Int32

    init() throws {
        _ = Self.available
        Self.turn.wait()
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else {
            Self.turn.signal()
            throw SetupError("socket() failed")
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buffer in
            for (i, byte) in Self.path.utf8.enumerated() { buffer[i] = byte }
        }
        let bound = withUnsafePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            Self.turn.signal()
            throw SetupError("cannot bind \(Self.path): \(String(cString: strerror(errno)))")
        }
        chmod(Self.path, 0o666)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Every message received so far, as the raw datagrams (`<PRI>TIMESTAMP ident[pid]: text`).
    func messages() -> [String] {
        var result: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            result.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        return result
    }

    deinit {
        close(fd)
        unlink(Self.path)
        Self.turn.signal()
    }
}
