#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A swift-log handler that writes each message to the system log (ident `mvpipe`, facility LOG_MAIL)
/// through `openlog`/`syslog`, so the relay's mail log keeps mvpipe's diagnostics next to the mail they are about.
///
/// Messages are passed as the argument of a `"%s"` format, never as the format itself, and control
/// characters are escaped so one message is always one log line.
struct SyslogLogHandler: LogHandler {
    /// The identifier every line carries; kept alive for the process (openlog keeps the pointer).
    nonisolated(unsafe) private static let ident: UnsafeMutablePointer<CChar> = strdup("mvpipe")!

    /// Opens the connection to the system log once (on first use of a handler).
    private static let opened: Bool = {
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL)
        return true
    }()

    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    /// Creates a handler logging at `level` and above.
    init(level: Logger.Level) {
        logLevel = level
        _ = Self.opened
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var text = "\(event.level): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if !merged.isEmpty {
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        let line = Self.oneLine(text)
        line.withCString { message in
            withVaList([message]) { vsyslog(Self.priority(event.level), "%s", $0) }
        }
    }

    /// The syslog priority for a swift-log level.
    static func priority(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: LOG_DEBUG
        case .info: LOG_INFO
        case .notice: LOG_NOTICE
        case .warning: LOG_WARNING
        case .error: LOG_ERR
        case .critical: LOG_CRIT
        }
    }

    /// `text` with control characters (newlines included) escaped as `\n`, `\t` or `\xNN`.
    static func oneLine(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
