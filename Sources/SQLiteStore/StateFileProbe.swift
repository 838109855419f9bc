import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// Looks at the state path before SQLite touches it, so a damaged file is refused with a clear
/// reason instead of being opened (or, worse, treated as a new database).
///
/// SQLite treats a zero-length file as a new, empty database. mvpipe refuses one: it usually
/// means a disk-full event or a failed restore, and starting over silently would reset every
/// user's baseline and forget which alerts were delivered.
public enum StateFileProbe: Sendable, Equatable {
    /// Nothing is at the path.
    case missing
    /// A regular file that starts like a SQLite database of `size` bytes.
    case database(size: Int64)

    /// The SQLite file header's first 16 bytes.
    static let magic = Array("SQLite format 3\0".utf8)

    /// Inspects `path`; throws ``StateError/unusable(_:)`` for anything that is not plausibly a
    /// whole SQLite database (not a regular file, unreadable, empty, truncated, another format).
    public static func probe(_ path: String) throws -> StateFileProbe {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return .missing }
            throw unusable(path, "cannot inspect it: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFLNK, stat(path, &info) != 0 {
            throw unusable(path, "it is a symbolic link to something that does not exist (\(String(cString: strerror(errno))))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw unusable(path, "it is not a regular file (a directory, device or socket is in its place)")
        }
        let size = Int64(info.st_size)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw unusable(path, "cannot read it: \(String(cString: strerror(errno))); give the user mvpipe runs as read and write access to it and its folder")
        }
        defer { close(fd) }
        guard size > 0 else {
            throw unusable(path, "it is empty (0 bytes), as a full disk or a failed copy leaves it; mvpipe does not start over silently, since that would reset every baseline. Restore it from a backup, or delete it to start with empty history")
        }
        var header = [UInt8](repeating: 0, count: 100)
        let got = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, 100) }
        guard got >= 0 else {
            throw unusable(path, "cannot read it: \(String(cString: strerror(errno)))")
        }
        guard got == 100 else {
            throw unusable(path, "it is only \(got) bytes long, too short for a SQLite database (truncated?)")
        }
        guard Array(header[0..<16]) == magic else {
            throw unusable(path, "it is not a SQLite database (it does not start with the SQLite header)")
        }
        // A hot journal or WAL means SQLite still has to roll back or replay; the size check below
        // only holds for a file at rest.
        let busy = ["-journal", "-wal"].contains { suffix in
            var side = stat()
            return stat(path + suffix, &side) == 0 && side.st_size > 0
        }
        let rawPageSize = Int64(header[16]) << 8 | Int64(header[17])
        let pageSize = rawPageSize == 1 ? 65_536 : rawPageSize
        let pages = header[28..<32].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        let changeCounter = Array(header[24..<28]), validFor = Array(header[92..<96])
        if !busy, pages > 0, changeCounter == validFor, pageSize >= 512, size < pages * pageSize {
            throw unusable(path, "it is truncated: its header says \(pages) pages of \(pageSize) bytes (\(pages * pageSize) bytes) but the file has \(size) bytes")
        }
        return .database(size: size)
    }

    private static func unusable(_ path: String, _ reason: String) -> StateError {
        StateError.unusable("cannot use the state file \(path): \(reason). It was left untouched")
    }
}
