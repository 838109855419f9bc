import Foundation
import Logging
import Pipeline

/// Sends alerts to a Matrix room as `m.text` messages (plain `body` plus HTML-escaped
/// `formatted_body`, no mentions). The transaction id is derived from the alerts, the host
/// and the notifier's name, so every retry of the same alerts is deduplicated by the homeserver.
public struct MatrixNotifier: Notifier {
    /// Options of `matrix`.
    public struct Options: PluginOptions {
        /// The homeserver's base URL.
        var homeserver: EndpointURL
        /// The room id, `!opaque:server`.
        var room: String
        /// The bot's access token.
        var token: Secret
        /// TLS, timeout and retry settings.
        var transport: TransportSettings
        /// The entry's name (part of the transaction id).
        var name: String

        public static let specs: [OptionSpec] = [
            OptionSpec("homeserver", .string, default: nil, "The homeserver's client API base URL, e.g. \"https://matrix.example.org\"."),
            OptionSpec("room", .string, default: nil, "The room id (not an alias), e.g. \"!abc:example.org\"; the bot must have joined it."),
            OptionSpec("token_env", .string, default: "none (one of token_env, token_file is required)", "Environment variable holding the bot's access token."),
            OptionSpec("token_file", .string, default: "none", "File holding the bot's access token (relative paths: from the config file's folder)."),
        ] + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            name = try reader.string("name") ?? MatrixNotifier.type
            let rawHomeserver = try reader.requiredString("homeserver")
            homeserver = try HTTPEndpointOption.parse(rawHomeserver, path: reader.path(of: "homeserver"),
                                                      secretInvolved: true, showValue: true)
            if rawHomeserver.contains("?") || rawHomeserver.contains("#") {
                throw ConfigError(reader.path(of: "homeserver"), "expected a base URL without query or fragment, found '\(UntrustedText.display(rawHomeserver))'")
            }
            room = try reader.requiredString("room")
            guard room.hasPrefix("!"), room.count > 1,
                  room.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                throw ConfigError(reader.path(of: "room"), "expected a room id like \"!abc:example.org\" (an alias like #room:example.org will not do: find the id in the room's settings), found '\(UntrustedText.display(room))'")
            }
            guard let (value, origin) = try reader.secret("token", context: context) else {
                throw ConfigError(reader.path(of: "token_env"), "required: name an environment variable with \"token_env\" or a file with \"token_file\" holding the access token")
            }
            token = Secret(value, origin: origin)
            transport = try TransportSettings(reading: &reader, context: context, type: MatrixNotifier.type)
        }
    }

    /// The `m.room.message` event content.
    struct Content: Encodable, Equatable {
        /// Always `m.text`.
        var msgtype = "m.text"
        /// The plain-text report.
        var body: String
        /// Always `org.matrix.custom.html`.
        var format = "org.matrix.custom.html"
        /// The report as HTML, every piece of text escaped.
        var formatted_body: String
        /// Empty: the message mentions nobody, whatever a user name says.
        var mentions = Mentions()

        /// An empty `m.mentions` object.
        struct Mentions: Encodable, Equatable {}

        enum CodingKeys: String, CodingKey {
            case msgtype, body, format, formatted_body
            case mentions = "m.mentions"
        }
    }

    /// A Matrix error body.
    struct ErrorBody: Decodable {
        var errcode: String?
        var error: String?
        var retry_after_ms: Double?
    }

    public static let type = "matrix"
    public static let summary = "Sends alerts to a Matrix room (access token from an env var or file; retries never post twice)."

    /// Keeps the event well under Matrix's 64 KiB limit.
    static let maxCharacters = 24_000

    /// The options in force.
    let options: Options
    private let logger: Logger
    private let clock: any RetryClock
    private let host: String

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        self.logger = context.logger
        self.clock = context.retryClock
        self.host = context.hostName
    }

    public var description: String {
        let verify = options.transport.insecureSkipVerify ? ", certificate NOT verified" : ""
        return "matrix: room \(options.room) on \(options.homeserver.origin) (token from \(options.token.origin)\(verify))"
    }

    /// The event content for `batch`.
    static func content(for batch: AlertBatch) -> Content {
        let subject = AlertFormatter.subject(batch)
        let body = TextEscaping.truncated(AlertFormatter.body(batch), limit: maxCharacters)
        let html = "<p><strong>\(TextEscaping.html(subject))</strong></p>\n<pre><code>\(TextEscaping.html(body))</code></pre>"
        return Content(body: subject + "\n\n" + body, formatted_body: html)
    }

    /// The transaction id: the same for the same alerts on every retry and run, different for
    /// another notifier entry, another host or other alerts.
    func transactionID(for batch: AlertBatch) -> String {
        let alerts = batch.alerts.map { "\($0.id)/\($0.day)/\($0.user)" }.sorted()
        let key = (["mvpipe", host, options.name] + alerts).joined(separator: "\n")
        return "mvpipe-" + SHA256.hex(key).prefix(40)
    }

    /// The request URL for `txnID`: room id and transaction id percent-encoded.
    func sendURL(txnID: String) -> String {
        var base = options.homeserver.text
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/_matrix/client/v3/rooms/" + TextEscaping.percentEncodeSegment(options.room)
            + "/send/m.room.message/" + TextEscaping.percentEncodeSegment(txnID)
    }

    public func deliver(_ batch: AlertBatch) throws {
        let o = options
        let request = HTTPRequest(
            method: .put, url: sendURL(txnID: transactionID(for: batch)),
            headers: HTTPDelivery.jsonHeaders + [("Authorization", "Bearer \(o.token.reveal)")],
            body: try HTTPDelivery.json(MatrixNotifier.content(for: batch)),
            connectTimeout: o.transport.connectTimeout, totalTimeout: o.transport.timeout,
            caFile: o.transport.caFile, insecureSkipVerify: o.transport.insecureSkipVerify)
        let target = "Matrix homeserver \(o.homeserver.origin)"
        let retrier = DeliveryRetrier(label: "matrix \(o.name)", budget: o.transport.maxRetrySeconds, logger: logger,
                                      secrets: [o.token], clock: clock)
        try retrier.run {
            HTTPDelivery.attempt(request, target: target) { response in
                MatrixNotifier.interpret(response, target: target, token: o.token)
            }
        }
    }

    /// Matrix-specific outcomes: `M_LIMIT_EXCEEDED` with `retry_after_ms`, token and room errors.
    static func interpret(_ response: HTTPResponse, target: String, token: Secret) -> AttemptResult? {
        guard !(200..<300).contains(response.status) else { return .delivered }
        let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
        let code = error?.errcode.map { UntrustedText.display($0, limit: 60) } ?? "no errcode"
        let text = error?.error.map { ": " + UntrustedText.display($0, limit: 200) } ?? HTTPDelivery.snippet(response)
        let detail = "\(target) answered HTTP \(response.status) \(code)\(text)"
        switch response.status {
        case 429:
            let retryAfter = error?.retry_after_ms.map { max(0, $0) / 1000 } ?? HTTPDelivery.retryAfter(response)
            return .transient(detail, retryAfter: retryAfter)
        case 401:
            return .permanent("\(detail); the access token from \(token.origin) was rejected (expired or logged out?)")
        case 403:
            return .permanent("\(detail); the bot may not post in the room (not joined, or lacks power)")
        default:
            return nil
        }
    }
}
