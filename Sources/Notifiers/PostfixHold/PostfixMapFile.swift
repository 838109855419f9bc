import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// The map file `postfix-hold` owns: read, replaced atomically (a temporary file in the same folder, flushed, renamed
/// over it, the folder flushed), so Postfix and a crash only ever see the old map or the new one.
struct PostfixMapFile: Sendable {
    /// The map's source file.
    let path: String

    /// The file's bytes; nil when there is none.
    func read() throws(NotifierError) -> [UInt8]? {
        guard access(path, F_OK) == 0 else {
            if errno == ENOENT { return nil }
            throw Self.failure("cannot look at the map \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NotifierError("cannot read the map \(path); check its permissions (mvpipe must own it)", transient: true)
        }
        return Array(data)
    }

    /// Replaces the file with `bytes` (mode 0644), or removes it when `bytes` is nil.
    func replace(with bytes: [UInt8]?) throws(NotifierError) {
        guard let bytes else {
            if unlink(path) != 0 && errno != ENOENT { throw Self.failure("cannot remove the map \(path)") }
            return
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".\(getpid()).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Self.failure("cannot create \(temp) beside the map") }
        var done = false
        defer { if !done { unlink(temp) } }
        do throws(NotifierError) {
            // Half the map, then the crash switch of the fault tests, then the rest: a run killed here leaves only
            // the temporary file, never a half-written map.
            let half = bytes.count / 2
            try Self.writeAll(bytes[..<half], to: fd, temp: temp)
            TestKillPoint.map.reached()
            try Self.writeAll(bytes[half...], to: fd, temp: temp)
            guard fchmod(fd, 0o644) == 0, fsync(fd) == 0 else { throw Self.failure("cannot flush \(temp)") }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw Self.failure("cannot close \(temp)") }
        guard rename(temp, path) == 0 else { throw Self.failure("cannot rename \(temp) to \(path)") }
        done = true
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }

    /// The modification time of `file`, nil when it does not exist.
    static func modified(_ file: String) -> timespec? {
        var info = stat()
        guard stat(file, &info) == 0 else { return nil }
        return info.st_mtim
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32, temp: String) throws(NotifierError) {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("cannot write \(temp)") }
            offset += n
        }
    }

    private static func failure(_ what: String) -> NotifierError {
        NotifierError("\(what): \(String(cString: strerror(errno))); mvpipe retries on the next run", transient: true)
    }
}
