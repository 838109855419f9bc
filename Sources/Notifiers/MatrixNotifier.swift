import Foundation
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

        static let homeserver = ConfigOption<String>.required("homeserver", "The homeserver's client API base URL, e.g. \"https://matrix.example.org\".")
            .map { text, site in
                let url = try HTTPEndpointOption.parse(text, path: site.path, secretInvolved: true, showValue: true)
                if text.contains("?") || text.contains("#") {
                    throw OptionError("expected a base URL without query or fragment, found '\(UntrustedText.display(text))'")
                }
                return url
            }
        static let room = ConfigOption<String>.required("room", "The room id (not an alias), e.g. \"!abc:example.org\"; the bot must have joined it.")
            .nonEmpty()
            .map { room, _ in
                guard room.hasPrefix("!"), room.count > 1,
                      room.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                    throw OptionError("expected a room id like \"!abc:example.org\" (an alias like #room:example.org will not do: find the id in the room's settings), found '\(UntrustedText.display(room))'")
                }
                return room
            }
        static let token = ConfigOption<Secret>.requiredSecret("token", env: "Environment variable holding the bot's access token.",
                                                         file: "File holding the bot's access token (relative paths: from the config file's folder).",
                                                         missing: "required: name an environment variable with \"token_env\" or a file with \"token_file\" holding the access token")

        public static let specs = OptionSpec.list(homeserver, room, token) + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            homeserver = try reader.read(Self.homeserver)
            room = try reader.read(Self.room)
            token = try reader.read(Self.token)
            transport = try TransportSettings(reading: &reader, context: context)
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
    /// The entry's name (part of the transaction id).
    private let name: String
    private let host: String

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        self.name = context.entryName
        self.host = context.hostName
    }

    public var description: String {
        "matrix: room \(options.room) on \(options.homeserver.origin) (token from \(options.token.origin)\(options.transport.verificationNote))"
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
        let key = (["mvpipe", host, name] + alerts).joined(separator: "\n")
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
        let target = "Matrix homeserver \(o.homeserver.origin)"
        try o.transport.send(.put, to: sendURL(txnID: transactionID(for: batch)),
                             headers: HTTPDelivery.jsonHeaders + [("Authorization", "Bearer \(o.token.reveal)")],
                             body: try HTTPDelivery.json(MatrixNotifier.content(for: batch)),
                             target: target, secrets: [o.token]) { response in
            MatrixNotifier.interpret(response, target: target, token: o.token)
        }
    }

    /// Matrix-specific outcomes: `M_LIMIT_EXCEEDED` with `retry_after_ms`, token and room errors.
    static func interpret(_ response: HTTPResponse, target: String, token: Secret) -> AttemptResult? {
        guard !(200..<300).contains(response.status) else { return .delivered }
        let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
        let summary = "\(target) answered HTTP \(response.status)"
        func reason(advice: String? = nil) -> FailureReason {
            guard let error, error.errcode != nil || error.error != nil else {
                return HTTPDelivery.answered(response, target: target, advice: advice)
            }
            let quoted = [error.errcode ?? "no errcode", error.error].compactMap { $0 }.joined(separator: ": ")
            return FailureReason(summary, quoting: quoted, advice: advice)
        }
        switch response.status {
        case 429:
            let retryAfter = error?.retry_after_ms.map { max(0, $0) / 1000 } ?? HTTPDelivery.retryAfter(response)
            return .transient(reason(), retryAfter: retryAfter)
        case 401:
            return .permanent(reason(advice: "the access token from \(token.origin) was rejected (expired or logged out?)"))
        case 403:
            return .permanent(reason(advice: "the bot may not post in the room (not joined, or lacks power)"))
        default:
            return nil
        }
    }
}
