import CCurl
import Foundation
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

        /// `starttls`: whether an `smtp://` server must offer STARTTLS.
        enum StartTLS: String, Sendable, CaseIterable, OptionChoice { case required, off }

        static let url = ConfigOption<String>.required("url", "The server: \"smtp://host:587\" (STARTTLS) or \"smtps://host:465\" (implicit TLS).")
            .map { text, _ in
                guard let url = EndpointURL(text, schemes: ["smtp", "smtps"]) else {
                    throw OptionError("expected \"smtp://host[:port]\" or \"smtps://host[:port]\" without user name or password, found '\(UntrustedText.display(text))'")
                }
                return url
            }
        static let starttls = ConfigOption<StartTLS?>.optional("starttls", absent: "\"required\" (\"off\" for localhost, 127.0.0.1, ::1)", "\"required\": refuse to send unless the server offers STARTTLS; \"off\": clear text, only allowed for a server on this machine. Ignored for smtps://.")
        static let username = ConfigOption<String?>.optional("username", absent: "no AUTH", "SMTP AUTH user name (needs password_env or password_file).")
            .map { username, _ in
                if let username, username.isEmpty || username.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    throw OptionError("expected a non-empty user name without control characters")
                }
                return username
            }
        static let password = ConfigOption<Secret?>.secret("password", env: "Environment variable holding the SMTP AUTH password.",
                                            file: "File holding the SMTP AUTH password (one line; relative paths: from the config file's folder).")
        static let from = ConfigOption<String>.required("from", "Sender address (envelope and From header), e.g. \"relay@example.org\".")
            .map { address, _ in
                try checkAddress(address)
                return address
            }
        static let to = ConfigOption<[String]>.required("to", "Recipient addresses.")
            .map { to, _ in
                guard !to.isEmpty else { throw OptionError("required: expected at least one recipient address") }
                for (i, address) in to.enumerated() {
                    do throws(OptionError) {
                        try checkAddress(address)
                    } catch {
                        throw OptionError(error.message, at: "[\(i)]")
                    }
                }
                return to
            }
            .documented { $0.minItems = 1 }

        public static let specs = OptionSpec.list(url, starttls, username, password, from, to) + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            url = try reader.read(Self.url)
            switch try reader.read(Self.starttls) ?? (url.isLocal ? .off : .required) {
            case .required: starttls = .required
            case .off:
                guard url.isLocal || url.scheme == "smtps" else {
                    throw ConfigError(reader.path(of: Self.starttls), "\"off\" would send mail (and any password) in clear text to \(url.host); it is only allowed for a server on this machine (localhost, 127.0.0.1, ::1). Use \"required\" or an smtps:// URL")
                }
                starttls = .off
            }
            username = try reader.read(Self.username)
            password = try reader.read(Self.password)
            if username != nil, password == nil {
                throw ConfigError(reader.path(of: Self.username), "needs a password: set \"password_env\" or \"password_file\"")
            } else if username == nil, password != nil {
                throw ConfigError(reader.path(of: "password_env"), "a password needs a \"username\"")
            }
            from = try reader.read(Self.from)
            to = try reader.read(Self.to)
            transport = try TransportSettings(reading: &reader, context: context)
        }

        /// A bare ASCII addr-spec (what `MAIL FROM:<…>` / `RCPT TO:<…>` and the headers accept).
        static func checkAddress(_ address: String) throws(OptionError) {
            do {
                try SMTPRequest.validateAddress(address)
            } catch {
                throw OptionError("expected a bare address like admin@example.org (no name, angle brackets, spaces or control characters), found '\(UntrustedText.display(address))'")
            }
            guard address.unicodeScalars.allSatisfy(\.isASCII) else {
                throw OptionError("expected an ASCII address, found '\(UntrustedText.display(address))'")
            }
        }
    }

    public static let type = "smtp"
    public static let summary = "Mails alerts over SMTP with libcurl (STARTTLS or smtps://, AUTH from an env var or file)."

    /// The options in force.
    let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String {
        let o = options
        let tls = o.url.scheme == "smtps" ? "implicit TLS" : (o.starttls == .required ? "STARTTLS required" : "no TLS (local server)")
        var auth = "no AUTH"
        if let user = o.username, let password = o.password {
            auth = "AUTH as \(UntrustedText.display(user)), password from \(password.origin)"
        }
        return "smtp: \(o.url.redacted.dropLast(2)) (\(tls)\(o.transport.verificationNote), \(auth)) from \(o.from) to \(o.to.joined(separator: ", "))"
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
        let retrier = o.transport.retrier(secrets: o.password.map { [$0] } ?? [])
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
        var advice: String?
        if error.isLoginDenied {
            advice = "the server rejected the user name or password"
        } else if error.code == Int(CURLE_USE_SSL_FAILED.rawValue) {
            advice = "the server does not offer STARTTLS and starttls is \"required\", so nothing was sent in clear text"
        } else if error.code == Int(CURLE_PEER_FAILED_VERIFICATION.rawValue) {
            advice = "the server's certificate is not trusted (set ca_file to your CA)"
        }
        let reason = FailureReason("cannot deliver to \(target)", quoting: error.description, limit: 300, advice: advice)
        return error.isTransient ? .transient(reason, retryAfter: nil) : .permanent(reason)
    }
}
