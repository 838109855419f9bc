import Foundation
import Pipeline

/// Prints alerts as text: for the demo, for trying a config, and for cron (which mails stdout).
public struct ConsoleNotifier: Notifier {
    /// Options of `console` (none besides the common ones).
    public struct Options: PluginOptions {
        public static let specs: [OptionSpec] = []
        public init(reading reader: inout OptionsReader, context: PluginContext) throws {}
    }

    public static let type = "console"
    public static let summary = "Prints alerts to stdout (stderr when --json owns stdout)."

    private let stream: PluginContext.ConsoleStream

    public init(options: Options, context: PluginContext) throws {
        stream = context.consoleStream
    }

    public var description: String { "console: prints alerts to \(stream == .standardOutput ? "stdout" : "stderr")" }

    public func deliver(_ batch: AlertBatch) throws {
        let text = AlertFormatter.subject(batch) + "\n\n" + AlertFormatter.body(batch)
        let fd = stream == .standardOutput ? STDOUT_FILENO : STDERR_FILENO
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw NotifierError("cannot write to \(stream == .standardOutput ? "stdout" : "stderr"): \(String(cString: strerror(errno)))",
                                    transient: true)
            }
            offset += written
        }
    }
}
