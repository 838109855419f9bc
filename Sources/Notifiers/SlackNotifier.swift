import Foundation
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

        static let url = ConfigOption<Secret>.requiredSecret("url", env: "Environment variable holding the incoming webhook URL (https://hooks.slack.com/services/…); the URL is the secret.",
                                               file: "File holding the incoming webhook URL (relative paths: from the config file's folder).",
                                               missing: "required: the webhook URL is a secret; name an environment variable with \"url_env\" or a file with \"url_file\"")
            .map { url, site in
                (url, try HTTPEndpointOption.parse(url.reveal, path: site.path, secretInvolved: true, showValue: false))
            }

        public static let specs = OptionSpec.list(url) + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            (url, endpoint) = try reader.read(Self.url)
            transport = try TransportSettings(reading: &reader, context: context)
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

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String {
        "slack: incoming webhook from \(options.url.origin) (\(options.endpoint.redacted)\(options.transport.verificationNote))"
    }

    /// The payload for `batch`: the plain-text report, escaped for mrkdwn.
    static func payload(for batch: AlertBatch) -> Payload {
        let plain = AlertFormatter.subject(batch) + "\n\n" + AlertFormatter.body(batch)
        return Payload(text: TextEscaping.slack(TextEscaping.truncated(plain, limit: maxCharacters)))
    }

    public func deliver(_ batch: AlertBatch) throws {
        let o = options
        let target = "Slack webhook \(o.endpoint.redacted)"
        try o.transport.send(.post, to: o.url.reveal, headers: HTTPDelivery.jsonHeaders,
                             body: try HTTPDelivery.json(SlackNotifier.payload(for: batch)),
                             target: target, secrets: [o.url]) { response in
            switch response.status {
            case 404, 410:
                return .permanent(HTTPDelivery.answered(response, target: target, advice: "the webhook was revoked or its channel removed; create a new incoming webhook and update \(o.url.origin)"))
            case 403:
                return .permanent(HTTPDelivery.answered(response, target: target, advice: "the webhook may not post to its channel (archived channel or workspace restriction)"))
            default:
                return nil
            }
        }
    }
}
