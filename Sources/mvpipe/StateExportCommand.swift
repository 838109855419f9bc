import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe state export`: the whole state as JSON lines.
struct StateExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole state as JSON lines (a header, then one object per row).",
        discussion: """
            The first line is {"format":"mvpipe-state","format_version":1,"schema_version":N}; each \
            further line is one row with a "table" field (volume, source_day, source_checkpoint, bucket, \
            alert, delivery, alert_sequence, hold, client_ip, silence) and one field per column; checkpoints are base64. Rows are \
            streamed from one consistent read under the run lock, in key order, so the same state always \
            exports to the same bytes. With --output the file appears whole (written beside it, then renamed).
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let target = output == "-" ? nil : output
        let counts = try CLI.guarded {
            let store = try StateStoreFactory.open(config.state, .readWrite(create: false), relay: config.hostName)
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            guard let target else {
                let writer = LineWriter(fd: STDOUT_FILENO, target: "standard output")
                let counts = try store.export(writer.write)
                try writer.flush()
                return counts
            }
            let temporary = target + ".partial-\(getpid())"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw StateError.unusable("cannot create \(temporary): \(String(cString: strerror(errno)))")
            }
            do {
                let writer = LineWriter(fd: fd, target: target)
                let counts = try store.export(writer.write)
                try writer.flush()
                guard fsync(fd) == 0, close(fd) == 0, rename(temporary, target) == 0 else {
                    throw StateError.unusable("cannot write the export to \(target): \(String(cString: strerror(errno)))")
                }
                return counts
            } catch {
                close(fd)
                unlink(temporary)
                throw error
            }
        }
        if let target {
            try CLI.printOut("exported \(StateCommandFormat.rows(counts)) from \(config.state) to \(target)")
        }
    }
}
