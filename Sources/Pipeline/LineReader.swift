import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor line by line in fixed-size chunks, so a large file never sits in memory whole.
struct LineReader {
    private let fd: Int32
    private let limit: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The number of the line last returned (1 for the first).
    private(set) var lineNumber = 0

    /// Reads from `fd` (not closed here); a line longer than `limit` bytes is an error.
    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
    }

    /// The next line without its `\n`, or `nil` at the end.
    mutating func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                lineNumber += 1
                return line
            }
            if buffer.count - start > limit {
                throw StateImportError.invalidLine(line: lineNumber + 1, message: "longer than \(limit) bytes")
            }
            buffer.removeSubrange(0..<start)
            start = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw StateImportError.unreadable("cannot read the export: \(String(cString: strerror(errno)))")
            }
            if got == 0 { atEnd = true } else { buffer.append(contentsOf: chunk[0..<got]) }
        }
    }
}
