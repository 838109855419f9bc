import Foundation
import Pipeline

/// Writes lines to a file descriptor through a 64 KiB buffer; a failed write is a ``StateError``
/// naming `target` (exit 74), except that stdout's reader going away is ``OutputError/closed`` (a quiet end).
final class LineWriter {
    private let fd: Int32
    private let target: String
    private var buffer: [UInt8] = []

    init(fd: Int32, target: String) {
        self.fd = fd
        self.target = target
        buffer.reserveCapacity(1 << 16)
    }

    /// Appends `line` and a newline.
    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes out what is buffered.
    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE && fd == STDOUT_FILENO { throw OutputError.closed }
                throw StateError.unusable("cannot write the export to \(target): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
