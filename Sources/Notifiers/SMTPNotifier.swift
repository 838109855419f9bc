import CCurl
import Foundation
import Logging
import Pipeline

/// Mails the alerts over SMTP with libcurl: STARTTLS (required by default for any host but
/// this machine) or implicit TLS (`smtps://`), optional AUTH with a password read from the
/// environment or a file, and an RFC 5322 message built from trusted values only.
public struct SMTPNotifier: Notifier {
    /// Options of `smtp`.
    public struct Options: PluginOptions {
        /// The server, `smtp://host[:port]` or `smtps://host[:port]`.
        var url: EndpointURL
        /// Whether STARTTLS is mandatory for `smtp://` URLs.
        var starttls: SMTPRequest.TLSMode
        /// The AUTH user name, if the server wants AUTH.
        var username: String?
        /// The AUTH password.
        var password: Secret?
        /// The envelope and header sender.
        var from: String
        /// The envelope and header recipients.
        var to: [String]
        /// TLS, timeout and retry settings.
        var transport: TransportSettings
        /// The entry's name (for messages).
        var name: String

        public static let specs: [OptionSpec] = [
            OptionSpec("url", .string, default: nil, "The server: \"smtp://host:587\" (STARTTLS) or \"smtps://host:465\" (implicit TLS)."),
            OptionSpec("starttls", .string, default: "\"required\" (\"off\" for localhost, 127.0.0.1, ::1)", "\"required\": refuse to send unless the server offers STARTTLS; \"off\": clear text, only allowed for a server on this machine. Ignored for smtps://."),
            OptionSpec("username", .string, default: "no AUTH", "SMTP AUTH user name (needs password_env or password_file)."),
            OptionSpec("password_env", .string, default: "none", "Environment variable holding the SMTP AUTH password."),
            OptionSpec("password_file", .string, default: "none", "File holding the SMTP AUTH password (one line; relative paths: from the config file's folder)."),
            OptionSpec("from", .string, default: nil, "Sender address (envelope and From header), e.g. \"relay@example.org\"."),
            OptionSpec("to", .stringList, default: nil, "Recipient addresses."),
        ] + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            name = try reader.string("name") ?? SMTPNotifier.type
            let rawURL = try reader.requiredString("url")
            guard let url = EndpointURL(rawURL, schemes: ["smtp", "smtps"]) else {
                throw ConfigError(reader.path(of: "url"), "expected \"smtp://host[:port]\" or \"smtps://host[:port]\" without user name or password, found '\(UntrustedText.display(rawURL))'")
            }
            self.url = url
            let starttlsDefault = url.isLocal ? "off" : "required"
            switch try reader.string("starttls") ?? starttlsDefault {
            case "required": starttls = .required
            case "off":
                guard url.isLocal || url.scheme == "smtps" else {
                    throw ConfigError(reader.path(of: "starttls"), "\"off\" would send mail (and any password) in clear text to \(url.host); it is only allowed for a server on this machine (localhost, 127.0.0.1, ::1). Use \"required\" or an smtps:// URL")
                }
                starttls = .off
            case let other:
                throw ConfigError(reader.path(of: "starttls"), "expected \"required\" or \"off\", found '\(UntrustedText.display(other))'")
            }
            username = try reader.string("username")
            password = try reader.secret("password", context: context).map { Secret($0.value, origin: $0.origin) }
            if let username {
                guard !username.isEmpty, !username.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                    throw ConfigError(reader.path(of: "username"), "expected a non-empty user name without control characters")
                }
                guard password != nil else {
                    throw ConfigError(reader.path(of: "username"), "needs a password: set \"password_env\" or \"password_file\"")
                }
            } else if password != nil {
                throw ConfigError(reader.path(of: "password_env"), "a password needs a \"username\"")
            }
            from = try reader.requiredString("from")
            try Options.checkAddress(from, path: reader.path(of: "from"))
            guard let to = try reader.stringList("to"), !to.isEmpty else {
                throw ConfigError(reader.path(of: "to"), "required: expected at least one recipient address")
            }
            for (i, address) in to.enumerated() {
                try Options.checkAddress(address, path: "\(reader.path(of: "to"))[\(i)]")
            }
            self.to = to
            transport = try TransportSettings(reading: &reader, context: context, type: SMTPNotifier.type)
        }

        /// A bare ASCII addr-spec (what `MAIL FROM:<…>` / `RCPT TO:<…>` and the headers accept).
        static func checkAddress(_ address: String, path: String) throws {
            do {
                try SMTPRequest.validateAddress(address)
            } catch {
                throw ConfigError(path, "expected a bare address like admin@example.org (no name, angle brackets, spaces or control characters), found '\(UntrustedText.display(address))'")
            }
            guard address.unicodeScalars.allSatisfy(\.isASCII) else {
                throw ConfigError(path, "expected an ASCII address, found '\(UntrustedText.display(address))'")
            }
        }
    }

    public static let type = "smtp"
    public static let summary = "Mails alerts over SMTP with libcurl (STARTTLS or smtps://, AUTH from an env var or file)."

    /// The options in force.
    let options: Options
    private let logger: Logger
    private let clock: any RetryClock

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        self.logger = context.logger
        self.clock = context.retryClock
    }

    public var description: String {
        let o = options
        let tls = o.url.scheme == "smtps" ? "implicit TLS" : (o.starttls == .required ? "STARTTLS required" : "no TLS (local server)")
        var auth = "no AUTH"
        if let user = o.username, let password = o.password {
            auth = "AUTH as \(UntrustedText.display(user)), password from \(password.origin)"
        }
        let verify = o.transport.insecureSkipVerify ? ", certificate NOT verified" : ""
        return "smtp: \(o.url.redacted.dropLast(2)) (\(tls)\(verify), \(auth)) from \(o.from) to \(o.to.joined(separator: ", "))"
    }

    /// The message for `batch`.
    func message(for batch: AlertBatch, date: Date = Date()) -> MailMessage {
        let domain = options.from.split(separator: "@").last.map(String.init) ?? "localhost"
        let id = "mvpipe.\(UUID().uuidString.lowercased()).\(Int(date.timeIntervalSince1970))@\(domain)"
        return MailMessage(from: options.from, to: options.to, subject: AlertFormatter.subject(batch),
                           body: AlertFormatter.body(batch), date: date, messageID: id)
    }

    public func deliver(_ batch: AlertBatch) throws {
        let bytes = message(for: batch).render()
        let o = options
        let request = SMTPRequest(
            url: o.url.text, tls: o.url.scheme == "smtps" ? .required : o.starttls,
            username: o.username, password: o.password?.reveal, mailFrom: o.from, recipients: o.to,
            message: bytes, caFile: o.transport.caFile, insecureSkipVerify: o.transport.insecureSkipVerify,
            connectTimeout: o.transport.connectTimeout, totalTimeout: o.transport.timeout)
        let retrier = DeliveryRetrier(label: "smtp \(o.name)", budget: o.transport.maxRetrySeconds, logger: logger,
                                      secrets: o.password.map { [$0] } ?? [], clock: clock)
        let target = String(o.url.redacted.dropLast(2))
        try retrier.run {
            do throws(CurlError) {
                try request.send()
                return .delivered
            } catch {
                return SMTPNotifier.classify(error, target: target)
            }
        }
    }

    /// An SMTP failure as an attempt result, with a hint for the common permanent ones.
    static func classify(_ error: CurlError, target: String) -> AttemptResult {
        var message = "cannot deliver to \(target): \(UntrustedText.display(error.description, limit: 300))"
        if error.isLoginDenied {
            message += "; the server rejected the user name or password"
        } else if error.code == Int(CURLE_USE_SSL_FAILED.rawValue) {
            message += "; the server does not offer STARTTLS and starttls is \"required\", so nothing was sent in clear text"
        } else if error.code == Int(CURLE_PEER_FAILED_VERIFICATION.rawValue) {
            message += "; the server's certificate is not trusted (set ca_file to your CA)"
        }
        return error.isTransient ? .transient(message, retryAfter: nil) : .permanent(message)
    }
}
