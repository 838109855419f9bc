import Foundation
import Pipeline

/// mvpipe's own writes to stdout and stderr, through write(2): Foundation's non-throwing `FileHandle.write` traps
/// on any error, so a reader that went away (`mvpipe counts | head -1`) crashed mvpipe with a backtrace.
///
/// SIGPIPE is left at what mvpipe inherited. At its default action (a shell), writing to a closed stdout ends
/// mvpipe like any filter. Where it is ignored (systemd's default for services), the write fails with EPIPE and
/// the command stops with ``OutputError/closed``, which ends mvpipe quietly with exit 141 (what a shell reports for
/// a filter SIGPIPE ended).
enum StandardStreams {
    /// Writes `text` to stdout.
    static func writeOut(_ text: String) throws(OutputError) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw OutputError.closed }
                throw OutputError.failed(String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// Writes `text` to stderr; a failure is dropped (there is nowhere left to report it).
    static func writeError(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// Standard output could not take what a command printed.
enum OutputError: Error, Equatable {
    /// The reader went away (EPIPE): the command stops quietly, exit 141.
    case closed
    /// Another write error (a full disk under `> file`): said on stderr, exit 74.
    case failed(String)
}
