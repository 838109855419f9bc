import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system account whose file access `mvpipe check --as USER` judges: the one cron or systemd runs mvpipe as.
///
/// Access is judged from owner, group and mode bits (root may read and write anything, and run anything with an
/// execute bit); access control lists and mandatory access control (AppArmor, SELinux) are not seen.
public struct Account: Sendable, Equatable, CustomStringConvertible {
    /// The login name, or `uid N`.
    public let name: String
    /// The user id.
    public let uid: UInt32
    /// The primary group id.
    public let gid: UInt32
    /// Every group the account is in (primary and supplementary).
    public let groups: Set<UInt32>

    public var description: String { name }

    /// Creates an account from its ids.
    public init(name: String, uid: UInt32, gid: UInt32, groups: Set<UInt32>) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.groups = groups.union([gid])
    }

    /// The account this process runs as (effective ids).
    public static var current: Account {
        let uid = geteuid()
        if let account = named(Self.userName(uid)) { return account }
        let count = getgroups(0, nil)
        var list = [gid_t](repeating: 0, count: Int(max(0, count)))
        let got = getgroups(count, &list)
        return Account(name: userName(uid), uid: uid, gid: getegid(), groups: Set(list.prefix(Int(max(0, got)))))
    }

    /// The account called `name` in the password database, with its groups; nil when there is none.
    public static func named(_ name: String) -> Account? {
        guard let entry = getpwnam(name) else { return nil }
        let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &list, &count) < 0 {
            list = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, gid, &list, &count)
        }
        return Account(name: name, uid: uid, gid: gid, groups: Set(list.prefix(Int(max(0, count)))))
    }

    /// The name of user `uid`, or `uid N`.
    public static func userName(_ uid: UInt32) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    /// The name of group `gid`, or `gid N`.
    public static func groupName(_ gid: UInt32) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "gid \(gid)" }
        return String(cString: name)
    }

    /// What an account wants to do with a file.
    public enum Access: Sendable {
        case read, write, execute

        var bits: (owner: mode_t, group: mode_t, other: mode_t) {
            switch self {
            case .read: (0o400, 0o040, 0o004)
            case .write: (0o200, 0o020, 0o002)
            case .execute: (0o100, 0o010, 0o001)
            }
        }
    }

    /// Whether the mode bits of `path` (itself, not its folders) give this account `access`; false when it does
    /// not exist.
    public func may(_ access: Access, _ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let bits = access.bits
        if uid == 0 {  // root reads, writes and enters anything; it runs only what has an execute bit
            return access != .execute || info.st_mode & S_IFMT == S_IFDIR || info.st_mode & 0o111 != 0
        }
        if info.st_uid == uid { return info.st_mode & bits.owner != 0 }
        if groups.contains(info.st_gid) { return info.st_mode & bits.group != 0 }
        return info.st_mode & bits.other != 0
    }

    /// Why this account cannot reach and `access` the existing file `path`, with what to do; nil when it can.
    /// Every folder on the way must let it pass (execute bit).
    public func problem(_ access: Access, _ path: String) -> String? {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var folder = "/"
        for part in url.deletingLastPathComponent().pathComponents.dropFirst() {
            folder = (folder as NSString).appendingPathComponent(part)
            if !may(.execute, folder) {
                return "\(name) may not enter the folder \(folder) (\(ownership(folder))); \(fix(folder, .execute))"
            }
        }
        guard !may(access, url.path) else { return nil }
        let verb = access == .read ? "read" : access == .write ? "write" : "run"
        return "\(name) may not \(verb) \(url.path) (\(ownership(url.path))); \(fix(url.path, access))"
    }

    /// `owner OWNER, group GROUP, mode 0640`.
    public func ownership(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "not found" }
        return "owner \(Self.userName(info.st_uid)), group \(Self.groupName(info.st_gid)), mode 0\(String(info.st_mode & 0o777, radix: 8))"
    }

    private func fix(_ path: String, _ access: Access) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "check the path" }
        let group = Self.groupName(info.st_gid)
        let groupMay = info.st_mode & access.bits.group != 0
        if access == .read, groupMay, info.st_gid != 0 {
            return "add \(name) to the group \(group) (`adduser \(name) \(group)`), or run mvpipe as an account that may"
        }
        if access == .write {
            return "give it to \(name) (`chown \(name): \(path)`), or run mvpipe as \(Self.userName(info.st_uid)) (`sudo -u \(Self.userName(info.st_uid)) mvpipe ...`)"
        }
        let letter = access == .read ? "r" : "x"
        return "let \(name) \(access == .read ? "read" : "enter") it (e.g. `chgrp \(Self.groupName(gid)) \(path)` and `chmod g+\(letter) \(path)`), or run mvpipe as an account that may"
    }
}
