import Foundation
import Pipeline

/// Keeping the map (and for `hash`/`lmdb` its database) equal to the state's holds, and Postfix aware of it.
extension PostfixHoldNotifier {
    /// The map's text for `holds`: a comment, then one `KEY ACTION text` line per key, sorted. A key that is not
    /// (or no longer) a safe map key is left out (it cannot be in the state, but the map must never be broken).
    func render(_ holds: [Hold]) -> [UInt8] {
        var lines = [
            "# Written by mvpipe (notifier \(UntrustedText.display(name, limit: 60))) from its state on every run that changes it.",
            "# Do not edit: mvpipe rewrites this file. Release an account with `mvpipe release --config CONFIG USER`.",
        ]
        var seen = Set<String>()
        for hold in holds.sorted(by: { $0.key < $1.key }) {
            guard (try? PostfixMapKey.key(for: hold.key, lookup: options.lookup)) == hold.key, seen.insert(hold.key).inserted else { continue }
            lines.append("\(hold.key) \(options.action.rawValue) mail from this account is suspended by mvpipe after alert \(hold.alertID) of \(hold.day); contact your postmaster")
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Rewrites the map when it differs from `holds` (or is missing), rebuilds its database when needed, and
    /// reloads Postfix when anything changed; returns whether it did. When `postmap` or the reload fails, the map is
    /// put back as it was, so the next run finds the difference and tries again.
    func bringMapInLine(with holds: [Hold]) throws(NotifierError) -> Bool {
        let file = PostfixMapFile(path: options.map)
        let wanted = render(holds)
        let before = try file.read()
        let rewrite = before != wanted
        if rewrite { try file.replace(with: wanted) }
        var changed = rewrite
        do throws(NotifierError) {
            if let suffix = databaseSuffix {
                let database = options.map + suffix
                if rewrite || !Self.isNewer(database, than: options.map) {
                    try run([try resolve(options.postmapCommand), "\(options.mapType.rawValue):\(options.map)"], what: "postmap")
                    changed = true
                }
            }
            if changed, let program = options.reloadCommand.first {
                try run([try resolve(program)] + options.reloadCommand.dropFirst(), what: "the reload command")
            }
        } catch {
            guard rewrite else { throw error }
            var message = error.message
            // A map that was missing is never put back as missing: without the file, Postfix answers every sender
            // 451. It keeps the new holds with a line the next run's map lacks, so that run rewrites it and reloads.
            let restored = before ?? wanted + Array("# mvpipe: reloading Postfix after writing this map failed; the next run writes it again and reloads\n".utf8)
            do throws(NotifierError) {
                try file.replace(with: restored)
                if databaseSuffix != nil {
                    try run([try resolve(options.postmapCommand), "\(options.mapType.rawValue):\(options.map)"], what: "postmap")
                }
                message += before == nil
                    ? "; the map was missing, so it stays written (Postfix needs the file) and mvpipe writes it again and reloads on the next run"
                    : "; the map was put back as it was, mvpipe retries on the next run"
            } catch let undo {
                message += "; putting the map back failed too: \(undo.message)"
            }
            throw NotifierError(message, transient: true)
        }
        return changed
    }

    private var databaseSuffix: String? {
        switch options.mapType {
        case .texthash: nil
        case .hash: ".db"
        case .lmdb: ".lmdb"
        }
    }

    private static func isNewer(_ database: String, than source: String) -> Bool {
        guard let built = PostfixMapFile.modified(database), let written = PostfixMapFile.modified(source) else { return false }
        return (built.tv_sec, built.tv_nsec) >= (written.tv_sec, written.tv_nsec)
    }

    private func run(_ command: [String], what: String) throws(NotifierError) {
        let program = ExternalProgram(executable: command[0], arguments: Array(command.dropFirst()), environment: environment,
                                      timeout: Double(options.timeout))
        let outcome: ExternalProgram.Outcome
        do throws(ExternalProgram.StartError) {
            outcome = try program.run(input: [])
        } catch {
            throw NotifierError("cannot start \(what) \(command[0]): \(error.reason)", transient: true)
        }
        if let failure = outcome.failure(of: "\(what) \(command.joined(separator: " "))", timeout: options.timeout) {
            throw failure
        }
    }

    private func resolve(_ command: String) throws(NotifierError) -> String {
        if command.contains("/") { return command }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for dir in (path + ":/usr/sbin:/sbin").split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NotifierError("'\(command)' not found in PATH (\(path)) or /usr/sbin; install Postfix or give its path", transient: true)
    }
}
