import Foundation
import Pipeline

/// Mails one report per run through the system's mail program (`mailx`), run with an
/// argument array, never through a shell, and judged by its exit status (see ``ExternalProgram``).
public struct MailxNotifier: Notifier {
    /// Options of `mailx`.
    public struct Options: PluginOptions {
        /// Recipients.
        public var to: [String]
        /// The sender address (`-r`), if set.
        public var from: String?
        /// The subject; defaults to a line naming the host and the number of users.
        public var subject: String?
        /// The mail program: a name looked up in `PATH`, or a path.
        public var command: String
        /// Extra arguments placed before the recipients (site-specific mailx options).
        public var extraArguments: [String]
        /// Seconds to wait for the mail program.
        public var timeout: Int

        static let to = ConfigOption<[String]>.required("to", "Recipient addresses.")
            .map { to, _ in
                guard !to.isEmpty else { throw OptionError("required: expected at least one recipient address") }
                for (i, address) in to.enumerated() where !MailxNotifier.isSafeAddress(address) {
                    throw OptionError("expected a plain address like admin@example.org (no spaces, quotes, control characters or leading '-'), found '\(UntrustedText.display(address))'", at: "[\(i)]")
                }
                return to
            }
            .documented { $0.minItems = 1 }
        static let from = ConfigOption<String?>.optional("from", absent: "the mail program's default", "Sender address, passed as `-r FROM`.")
            .map { from, _ in
                if let from, !MailxNotifier.isSafeAddress(from) {
                    throw OptionError("expected a plain address like relay@example.org, found '\(UntrustedText.display(from))'")
                }
                return from
            }
        static let subject = ConfigOption<String?>.optional("subject", absent: "\"mvpipe on HOST: N users are sending unusual mail volume\"", "Subject line (no user text ever goes in it).")
            .map { subject, _ in
                if let subject, subject.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    throw OptionError("must be one line without control characters")
                }
                return subject
            }
        static let command = ConfigOption("command", default: "mailx", "The mail program, looked up in PATH unless it contains a slash.").nonEmpty()
        static let args = ConfigOption<[String]>("args", default: [], "Extra arguments before the recipients, e.g. [\"-a\", \"X-Priority: 1\"].")
        static let timeout = ConfigOption("timeout", default: 60, in: 1...3600, "Seconds to wait for the mail program; then it and every process it started are ended (SIGTERM, then SIGKILL) and the alert stays queued.")

        public static let specs = OptionSpec.list(to, from, subject, command, args, timeout)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            to = try reader.read(Self.to)
            from = try reader.read(Self.from)
            subject = try reader.read(Self.subject)
            command = try reader.read(Self.command)
            extraArguments = try reader.read(Self.args)
            timeout = try reader.read(Self.timeout)
        }
    }

    public static let type = "mailx"
    public static let summary = "Mails one report per run through mailx (argument array, no shell; judged by its exit status)."

    /// The options in force.
    public let options: Options
    private let environment: [String: String]

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        self.environment = context.environment
    }

    public var description: String { "mailx: \(options.command) to \(options.to.joined(separator: ", "))" }

    /// The arguments the mail program gets (after its name).
    public func arguments(subject: String) -> [String] {
        var args = ["-s", subject]
        if let from = options.from { args += ["-r", from] }
        return args + options.extraArguments + options.to
    }

    public func deliver(_ batch: AlertBatch) throws {
        let executable = try resolveCommand()
        let program = ExternalProgram(executable: executable,
                                      arguments: arguments(subject: options.subject ?? AlertFormatter.subject(batch)),
                                      environment: environment, timeout: Double(options.timeout))
        let outcome: ExternalProgram.Outcome
        do {
            outcome = try program.run(input: Array(AlertFormatter.body(batch).utf8))
        } catch {
            throw NotifierError("cannot start \(executable): \(error.reason)", transient: true)
        }
        if let failure = outcome.failure(of: executable, timeout: options.timeout,
                                         afterTimeout: "; killed it and every process it started") {
            throw failure
        }
    }

    private func resolveCommand() throws -> String {
        if options.command.contains("/") { return options.command }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(options.command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NotifierError("mail program '\(options.command)' not found in PATH (\(path)); install bsd-mailx or set \"command\"", transient: true)
    }

    /// Whether `address` is safe as a mail program argument: no whitespace, quotes, shell or control characters, no leading '-'.
    static func isSafeAddress(_ address: String) -> Bool {
        guard !address.isEmpty, !address.hasPrefix("-"), address.utf8.count <= 320 else { return false }
        return address.unicodeScalars.allSatisfy { s in
            s.value > 0x20 && s.value != 0x7F && !"\"'`$\\;|&<>(),".unicodeScalars.contains(s)
        }
    }
}
