#if canImport(Glibc)
import Glibc
#endif
import Pipeline

/// Checks, before sd-journal is asked, that there are journal files and that this account may read them:
/// sd-journal silently skips files it may not open, which would read as "no mail" (absence of evidence).
enum JournalAccess {
    /// The folders journald writes the system journal to: persistent, then volatile.
    static let systemFolders = ["/var/log/journal", "/run/log/journal"]

    /// Fails unless `directory` (or, when nil, the system journal) holds journal files this account may read.
    static func check(directory: String?) throws {
        if let directory {
            let files = try journalFiles(in: directory, required: true)
            guard !files.isEmpty else {
                throw SourceError("no journal files (*.journal) in \(directory); check \"directory\"")
            }
            try requireReadable(files)
            return
        }
        var files: [String] = []
        for root in systemFolders {
            files += try journalFiles(in: root, required: false)
            for machine in (try? subfolders(of: root)) ?? [] {
                files += try journalFiles(in: machine, required: false).filter {
                    let name = $0.split(separator: "/").last.map(String.init) ?? ""
                    return name.hasPrefix("system")
                }
            }
        }
        guard !files.isEmpty else {
            throw SourceError("no system journal files in \(systemFolders.joined(separator: " or ")): is systemd-journald running here? (For a copied or remote journal, set \"directory\".)")
        }
        try requireReadable(files)
    }

    /// Fails, naming them with owner, group and mode and the group to join (``UnreadableInput``), when this account
    /// may not read some of `files`.
    private static func requireReadable(_ files: [String]) throws {
        var unreadable = UnreadableInput()
        for file in files where access(file, R_OK) != 0 {
            unreadable.add(Array(file.utf8), isFolder: false, code: errno)
        }
        guard !unreadable.isEmpty else { return }
        throw SourceError(unreadable.message(matched: files.count, files: "journal file(s)")
                          + " (the system journal's files belong to group systemd-journal; Debian and Ubuntu also let group adm read them)")
    }

    private static func subfolders(of path: String) throws -> [String] {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        var result: [String] = []
        try DirectoryReader.forEachEntry(of: fd) { entry in
            if entry.kind == .directory && !entry.isHidden { result.append(path + "/" + String(decoding: entry.name, as: UTF8.self)) }
        }
        return result
    }

    /// The journal files (`*.journal`, `*.journal~`) directly in `path`; a folder that is missing is an error only
    /// when `required`, one this account may not list always is.
    private static func journalFiles(in path: String, required: Bool) throws -> [String] {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT && !required { return [] }
            if code == ENOENT { throw SourceError("the journal folder \(path) does not exist; check \"directory\"") }
            var unreadable = UnreadableInput()
            unreadable.add(Array(path.utf8), isFolder: true, code: code)
            throw SourceError(unreadable.message(matched: 0, folders: "journal folder"))
        }
        var files: [String] = []
        try DirectoryReader.forEachEntry(of: fd) { entry in
            let name = String(decoding: entry.name, as: UTF8.self)
            if entry.kind == .regular && (name.hasSuffix(".journal") || name.hasSuffix(".journal~")) { files.append(path + "/" + name) }
        }
        return files.sorted()
    }
}
