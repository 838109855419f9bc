#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log files and folders a source matched (or must list) but the account mvpipe runs as may not read.
///
/// A log that exists but cannot be read is no evidence that nothing was sent: the source fails (exit 66, source
/// down) with one message naming each path, why, its owner, group and mode, and what to do about it.
struct UnreadableInput {
    /// One path that could not be read or listed.
    struct Entry {
        var path: String
        var isFolder: Bool
        var code: Int32
        var owner: String?
        var group: String?
        var groupID: UInt32
        var mode: UInt32?
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }

    /// Records that `path` (a file, or a folder to list when `isFolder`) could not be opened with `errno` `code`.
    mutating func add(_ path: [UInt8], isFolder: Bool, code: Int32) {
        var entry = Entry(path: LogFileCandidate.display(path), isFolder: isFolder, code: code, groupID: 0)
        var st = stat()
        let found = (path + [0]).withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { stat($0.baseAddress!, &st) }
        }
        if found == 0 {
            entry.owner = getpwuid(st.st_uid).map { String(cString: $0.pointee.pw_name) } ?? String(st.st_uid)
            entry.group = getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(st.st_gid)
            entry.groupID = UInt32(st.st_gid)
            entry.mode = UInt32(st.st_mode & 0o7777)
        }
        entries.append(entry)
    }

    /// The account this process runs as (its name, else its uid).
    static var account: String {
        let uid = geteuid()
        return getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(uid)"
    }

    /// The error message: what could not be read (of `matched` matched files), and how to let the account read it.
    func message(matched: Int) -> String {
        let files = entries.filter { !$0.isFolder }
        let account = Self.account
        var parts: [String] = []
        if !files.isEmpty {
            parts.append("cannot read \(files.count) of the \(matched) file(s) that \"paths\" matches, as user \(account): "
                         + Self.list(files))
        }
        let folders = entries.filter(\.isFolder)
        if !folders.isEmpty {
            parts.append("cannot list the folder(s) where \"paths\" looks for logs, as user \(account): " + Self.list(folders))
        }
        return parts.joined(separator: "; ") + ". " + advice(account: account)
            + ". Nothing was counted from this source on this run; once it can read them, it reads on from where it stopped"
    }

    private static func list(_ entries: [Entry]) -> String {
        let shown = entries.prefix(5).map { entry in
            var details = [String(cString: strerror(entry.code))]
            if let owner = entry.owner, let group = entry.group, let mode = entry.mode {
                details.append("owner \(owner), group \(group), mode \(String(format4Octal: mode))")
            }
            return "\(entry.path) (\(details.joined(separator: "; ")))"
        }
        return shown.joined(separator: ", ") + (entries.count > 5 ? " and \(entries.count - 5) more" : "")
    }

    /// Add the account to the one group that may read every entry, when there is one; else a general hint.
    private func advice(account: String) -> String {
        let permission = entries.allSatisfy { $0.code == EACCES || $0.code == EPERM }
        guard permission else { return "Check that the files are there and readable" }
        let groups = Set(entries.map { entry -> String? in
            guard let group = entry.group, let mode = entry.mode, entry.groupID != 0 else { return nil }
            let needed: UInt32 = entry.isFolder ? 0o050 : 0o040  // folders must be listable and searchable
            return mode & needed == needed ? group : nil
        })
        if groups.count == 1, let group = groups.first ?? nil {
            return "Let the account read them: add it to group \(group) (`adduser \(account) \(group)`, then the next run has it; with the systemd unit, SupplementaryGroups=\(group))"
        }
        return "Let the account read them: change their group or mode, or add the account to a group that may read them (Debian's mail logs are group adm: `adduser \(account) adm`)"
    }
}

extension String {
    /// `0640`.
    init(format4Octal value: UInt32) {
        let digits = String(value, radix: 8)
        self = String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }
}
