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
        let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw NotifierError("cannot write to \(stream == .standardOutput ? "stdout" : "stderr"): \(error)", transient: true)
        }
    }
}
