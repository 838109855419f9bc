import Foundation
import Logging
import Pipeline

/// Posts alerts to a Slack incoming webhook. The webhook URL is the secret, so it comes from
/// an environment variable or a file and is never shown; user names are escaped (`&`, `<`,
/// `>`) so `<!channel>` or `<@U123>` in a name pings nobody.
public struct SlackNotifier: Notifier {
    /// Options of `slack`.
    public struct Options: PluginOptions {
        /// The incoming webhook URL (secret).
        var url: Secret
        /// The URL's scheme, host and port (safe to show).
        var endpoint: EndpointURL
        /// TLS, timeout and retry settings.
        var transport: TransportSettings
        /// The entry's name (for messages).
        var name: String

        public static let specs: [OptionSpec] = [
            OptionSpec("url_env", .string, default: "none (one of url_env, url_file is required)", "Environment variable holding the incoming webhook URL (https://hooks.slack.com/services/…); the URL is the secret."),
            OptionSpec("url_file", .string, default: "none", "File holding the incoming webhook URL (relative paths: from the config file's folder)."),
        ] + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            name = try reader.string("name") ?? SlackNotifier.type
            guard let (value, origin) = try reader.secret("url", context: context) else {
                throw ConfigError(reader.path(of: "url_env"), "required: the webhook URL is a secret; name an environment variable with \"url_env\" or a file with \"url_file\"")
            }
            let key = if case .file = origin { "url_file" } else { "url_env" }
            endpoint = try HTTPEndpointOption.parse(value, path: reader.path(of: key), secretInvolved: true, showValue: false)
            url = Secret(value, origin: origin)
            transport = try TransportSettings(reading: &reader, context: context, type: SlackNotifier.type)
        }
    }

    /// The JSON Slack receives.
    struct Payload: Encodable, Equatable {
        /// The message, mrkdwn with `&`, `<`, `>` escaped.
        var text: String
        /// Do not preview links (a user name may look like a URL).
        var unfurl_links = false
        /// Do not preview media.
        var unfurl_media = false
    }

    public static let type = "slack"
    public static let summary = "Posts alerts to a Slack incoming webhook (URL from an env var or file)."

    /// Slack cuts longer messages; we cut first, with a note.
    static let maxCharacters = 35_000

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
        let verify = options.transport.insecureSkipVerify ? ", certificate NOT verified" : ""
        return "slack: incoming webhook from \(options.url.origin) (\(options.endpoint.redacted)\(verify))"
    }

    /// The payload for `batch`: the plain-text report, escaped for mrkdwn.
    static func payload(for batch: AlertBatch) -> Payload {
        let plain = AlertFormatter.subject(batch) + "\n\n" + AlertFormatter.body(batch)
        return Payload(text: TextEscaping.slack(TextEscaping.truncated(plain, limit: maxCharacters)))
    }

    public func deliver(_ batch: AlertBatch) throws {
        let o = options
        let request = HTTPRequest(method: .post, url: o.url.reveal, headers: HTTPDelivery.jsonHeaders,
                                  body: try HTTPDelivery.json(SlackNotifier.payload(for: batch)),
                                  connectTimeout: o.transport.connectTimeout, totalTimeout: o.transport.timeout,
                                  caFile: o.transport.caFile, insecureSkipVerify: o.transport.insecureSkipVerify)
        let target = "Slack webhook \(o.endpoint.redacted)"
        let retrier = DeliveryRetrier(label: "slack \(o.name)", budget: o.transport.maxRetrySeconds, logger: logger,
                                      secrets: [o.url], clock: clock)
        try retrier.run {
            HTTPDelivery.attempt(request, target: target) { response in
                switch response.status {
                case 404, 410:
                    return .permanent("\(target) answered HTTP \(response.status)\(HTTPDelivery.snippet(response)): the webhook was revoked or its channel removed; create a new incoming webhook and update \(o.url.origin)")
                case 403:
                    return .permanent("\(target) answered HTTP 403\(HTTPDelivery.snippet(response)): the webhook may not post to its channel (archived channel or workspace restriction)")
                default:
                    return nil
                }
            }
        }
    }
}
