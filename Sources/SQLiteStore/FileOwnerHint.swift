import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What to tell an admin whose account may not open the state or its lock: who owns the file, and the two ways out
/// (run mvpipe as that account, or give the file to this one). The usual cause is a command run once as root.
enum FileOwnerHint {
    /// The account name of `uid`, or `uid N` when it has none.
    static func name(of uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    /// ` (FILE is owned by OWNER, mvpipe runs as ME): run mvpipe as OWNER (`sudo -u OWNER mvpipe ...`), or give the
    /// state folder to ME: `chown -R ME: FOLDER`` — or "" when `path` (or its folder) cannot be examined.
    static func forDenied(_ path: String) -> String {
        var info = stat()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let examined = stat(path, &info) == 0 ? path : (stat(folder, &info) == 0 ? folder : nil)
        guard let examined else { return "" }
        let owner = name(of: info.st_uid)
        let me = name(of: geteuid())
        guard owner != me else {
            return " (\(examined) belongs to \(me), the account mvpipe runs as, but its mode \(String(info.st_mode & 0o777, radix: 8)) does not let it write; `chmod u+rw \(examined)`)"
        }
        return " (\(examined) is owned by \(owner), but mvpipe runs as \(me); usually a command was once run as \(owner)): run mvpipe as \(owner) (`sudo -u \(owner) mvpipe ...`), or give the state to \(me): `chown -R \(me): \(folder)`"
    }

    /// Whether `errno` says the account may not open a file.
    static func isDenied(_ code: Int32) -> Bool {
        code == EACCES || code == EPERM
    }
}
