import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe state import`: loads a `state export` file into an empty (or, with --replace, any) state.
struct StateImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a `state export` file into the state (a new or empty one, or any with --replace).",
        discussion: """
            Every line is checked before anything is written, and that the file is complete (each day with \
            counts has its source_day row); the error names the line (exit 65). The rows are then written in \
            one transaction under the run lock, and the state is recorded as this config's; a state that \
            already holds rows is refused (exit 64) unless --replace, which discards them in the same \
            transaction. A missing state file is created. Holds (`mvpipe holds`), client IPs and silences \
            (`mvpipe silences`) are imported too; an export made before mvpipe exported them has none, which \
            the report says.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .shortAndLong, help: "Read this file instead of standard input (\"-\": standard input).")
    var input: String?

    @Flag(help: "Discard what the state holds and import in its place.")
    var replace = false

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        var spooled: String?
        defer { if let spooled { unlink(spooled) } }
        let (path, summary) = try CLI.guarded {
            var path = input ?? "-"
            if path == "-" {
                // Standard input is read twice (check, then write): keep a private copy.
                path = try Self.spool()
                spooled = path
            }
            let reader = StateExportReader(path: path)
            return (path, try reader.validate(currentSchema: StateStoreFactory.schemaVersion))
        }
        let counts = try CLI.guarded(configFile: common.config) {
            let store = try StateStoreFactory.open(config.state, .readWrite(create: true), relay: config.hostName)
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            // The imported state belongs to this config; --replace takes it over from another one.
            let previous = try store.owner()
            if !replace { try store.requireOwner(config.stateOwner, state: config.state) }
            let counts = try store.importRows(from: StateExportReader(path: path), replace: replace)
            _ = try store.recordOwner(config.stateOwner, ifCurrent: previous)
            return counts
        }
        let from = summary.schemaVersion == StateStoreFactory.schemaVersion ? "" : " (exported at schema \(summary.schemaVersion))"
        try CLI.printOut("imported \(StateCommandFormat.rows(counts)) into \(config.state)\(from)")
        if summary.rows[StateTable.hold.name, default: 0] == 0 {
            // An export made before holds were exported (or of a state that never held anyone) brings no holds:
            // containment's next run writes the Postfix map without any account.
            try CLI.printOut("the export has no holds: no account is on hold in the imported state (an export made before mvpipe exported holds has none; check `mvpipe holds`)")
        } else if let file = summary.rows[StateTable.hold.name], let stored = counts[StateTable.hold.name], stored < file {
            try CLI.printOut("\(file - stored) hold(s) of the export were left out: the state holds the same account already")
        }
        try reportEvidence(summary: summary, counts: counts)
    }

    /// Says what the export lacked of client IPs and silences (an older export, or one made before mvpipe exported
    /// them), and which silences a fleet kept its own of.
    private func reportEvidence(summary: StateExportReader.Summary, counts: [String: Int]) throws {
        if summary.rows[StateTable.clientIP.name, default: 0] == 0 {
            let why = summary.schemaVersion < 5
                ? "a state of schema \(summary.schemaVersion) kept none"
                : "an export made before mvpipe exported them has none"
            try CLI.printOut("the export has no client IPs (\(why)): the next alerts mark every address NEW until the state has seen it again")
        }
        if summary.rows[StateTable.silence.name, default: 0] == 0 {
            let why = summary.schemaVersion < 6
                ? "a state of schema \(summary.schemaVersion) kept none"
                : "an export made before mvpipe exported them has none"
            try CLI.printOut("the export has no silences (\(why)): no user is silenced in the imported state; check `mvpipe silences`")
        } else if let file = summary.rows[StateTable.silence.name], file > counts[StateTable.silence.name, default: 0] {
            try CLI.printOut("\(file - counts[StateTable.silence.name, default: 0]) silence(s) of the export were left out: the state silences the same user already (`mvpipe silences`)")
        }
    }

    /// Copies standard input to a private temporary file and returns its path.
    private static func spool() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/mvpipe-import-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw StateImportError.unreadable("cannot make a temporary copy of standard input: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                unlink(path)
                throw StateImportError.unreadable("cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            var offset = 0
            while offset < got {
                let written = chunk[offset..<got].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    unlink(path)
                    throw StateImportError.unreadable("cannot copy standard input to \(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        return path
    }
}
