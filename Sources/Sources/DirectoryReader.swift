#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists folders with `openat`/`readdir`: names as raw bytes (any bytes a file system allows),
/// no shell, no argument-list limits, no `stat` per file where the file system reports types.
struct DirectoryReader {
    /// What an entry is.
    enum Kind { case directory, regular, other }

    /// One entry of a folder.
    struct Entry {
        var name: [UInt8]
        var kind: Kind
        var isHidden: Bool { name.first == UInt8(ascii: ".") }
    }

    /// Why a folder could not be listed.
    enum Failure: Error, CustomStringConvertible {
        case missing
        case unreadable(String)

        var description: String {
            switch self {
            case .missing: String(cString: strerror(ENOENT))
            case .unreadable(let reason): reason
            }
        }
    }

    /// Opens `name` inside the folder `parent` (or an absolute path when `parent` is `AT_FDCWD`)
    /// as a folder descriptor, refusing symbolic links.
    static func open(_ name: [UInt8], in parent: Int32 = AT_FDCWD) throws(Failure) -> Int32 {
        let fd = (name + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                openat(parent, chars.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            }
        }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .missing }
            throw .unreadable(String(cString: strerror(code)))
        }
        return fd
    }

    /// Calls `body` for each entry of the open folder `fd` (except `.` and `..`) and closes it. Reads from the
    /// folder's start even when `fd` is a `dup` of a descriptor that was read before (they share the position).
    static func forEachEntry(of fd: Int32, _ body: (Entry) throws -> Void) throws {
        guard fd >= 0, let dir = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            throw Failure.unreadable(String(cString: strerror(errno)))
        }
        defer { closedir(dir) }
        rewinddir(dir)
        while let raw = readdir(dir) {
            // Only the name's bytes and its NUL are there: readdir packs entries by d_reclen, so copying the
            // whole 256-byte d_name (or the whole dirent through `pointee`) reads past the end of the last
            // entry in glibc's buffer (AddressSanitizer: heap-buffer-overflow).
            let field = UnsafeRawPointer(raw.pointer(to: \.d_name)!).assumingMemoryBound(to: UInt8.self)
            let name = Array(UnsafeBufferPointer(start: field, count: strlen(UnsafeRawPointer(field).assumingMemoryBound(to: CChar.self))))
            if name == [46] || name == [46, 46] { continue }
            var kind: Kind
            switch Int32(raw.pointer(to: \.d_type)!.pointee) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_REG): kind = .regular
            case Int32(DT_UNKNOWN): kind = statKind(name, in: dirfd(dir))
            default: kind = .other
            }
            try body(Entry(name: name, kind: kind))
        }
    }

    /// The modification time (seconds since 1970) of `name` inside the open folder `parent`.
    static func modificationTime(_ name: [UInt8], in parent: Int32) -> Int64? {
        var st = stat()
        let result = (name + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { fstatat(parent, $0.baseAddress!, &st, AT_SYMLINK_NOFOLLOW) }
        }
        return result == 0 ? Int64(st.st_mtim.tv_sec) : nil
    }

    private static func statKind(_ name: [UInt8], in parent: Int32) -> Kind {
        var st = stat()
        let result = (name + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { fstatat(parent, $0.baseAddress!, &st, AT_SYMLINK_NOFOLLOW) }
        }
        guard result == 0 else { return .other }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        default: return .other
        }
    }
}
