#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One log file found on this run, opened, with what identifies it.
final class LogFileCandidate {
    /// Its path as matched.
    let path: [UInt8]
    /// The open descriptor (closed when the value goes away).
    let fd: Int32
    /// `st_dev`.
    let device: UInt64
    /// `st_ino`.
    let inode: UInt64
    /// On-disk size.
    let size: UInt64
    /// Modification time in nanoseconds since 1970: rotated files are read oldest first.
    let modified: Int64
    /// Whether the content is gzip (by its magic bytes, whatever its name).
    let compressed: Bool
    /// The first ``Fingerprint/length`` content bytes (fewer for a shorter file).
    let head: [UInt8]

    /// Why a path could not be used.
    enum Failure: Error {
        /// Gone between listing and opening: not worth a note.
        case vanished
        /// Not a regular file, or empty: nothing to read.
        case notAFile
        /// The file system refuses to open it (`errno`: permissions, most often): the source cannot see it.
        case denied(Int32)
        /// Its content cannot be read (a damaged compressed head); the text says why.
        case unreadable(String)
    }

    /// Opens `path` and reads its head.
    init(path: [UInt8]) throws(Failure) {
        self.path = path
        let fd = (path + [0]).withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .vanished }
            throw .denied(code)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw .denied(code)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .notAFile
        }
        self.fd = fd
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = UInt64(max(0, st.st_size))
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        var magic: [UInt8] = [0, 0]
        let got = magic.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 2, 0) }
        compressed = got == 2 && magic[0] == 0x1F && magic[1] == 0x8B
        do {
            head = try Self.readHead(fd: fd, compressed: compressed)
        } catch {
            close(fd)
            throw .unreadable(error.message)
        }
    }

    deinit { close(fd) }

    /// The path for notes (control characters made visible).
    var displayPath: String { Self.display(path) }

    /// A raw path for notes.
    static func display(_ path: [UInt8]) -> String {
        var text = ""
        for scalar in String(decoding: path, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                text += "\\x" + String(scalar.value, radix: 16)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// A source that reads the content from its first byte.
    func source(from offset: UInt64 = 0) throws -> any LogByteSource {
        if compressed { return try GzipFileSource(fd: fd) }
        return PlainFileSource(fd: fd, position: offset)
    }

    private static func readHead(fd: Int32, compressed: Bool) throws(LogReadError) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: Fingerprint.length)
        var filled = 0
        do {
            let source: any LogByteSource = compressed ? try GzipFileSource(fd: fd) : PlainFileSource(fd: fd)
            try head.withUnsafeMutableBufferPointer { buffer in
                while filled < buffer.count {
                    let n = try source.read(into: buffer.baseAddress! + filled, count: buffer.count - filled)
                    if n == 0 { break }
                    filled += n
                }
            }
        } catch let error as LogReadError {
            if filled == 0 { throw error }
        } catch {
            throw LogReadError("\(error)")
        }
        return Array(head.prefix(filled))
    }
}
