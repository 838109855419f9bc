import Foundation
import Pipeline

/// POSTs a documented JSON document of the alerts (see docs/notifiers.md) to any URL, with
/// configured headers whose values may come from the environment or files. The URL's path
/// and query are never shown (they often carry a token).
public struct WebhookNotifier: Notifier {
    /// Options of `webhook`.
    public struct Options: PluginOptions {
        /// The URL (secret when read from `url_env` / `url_file`).
        var url: Secret
        /// The URL's scheme, host and port (safe to show).
        var endpoint: EndpointURL
        /// Extra header fields, in config order (values may be secret).
        var headers: [(name: String, value: Secret)]
        /// TLS, timeout and retry settings.
        var transport: TransportSettings

        static let url = ConfigOption<Secret>.requiredSecret("url", env: "Environment variable holding the URL, when the URL carries a token.",
                                                       file: "File holding the URL.",
                                                       inline: "The receiver's URL (http:// only for this machine or when nothing secret is sent).",
                                                       missing: "required: set \"url\", or \"url_env\" / \"url_file\" when the URL carries a token")
        static let headers = ConfigOption<[String: JSONValue]>("headers", default: [:], "Extra header fields: a string value as is, {\"env\": \"NAME\"} or {\"file\": \"/path\"} for a secret value.")
            .map { object, site in
                try object.keys.sorted().map { key -> (name: String, value: Secret) in
                    let path = "\(site.path).\(key)"
                    guard isToken(key) else {
                        throw ConfigError(path, "expected a header name of letters, digits and -!#$%&'*+.^_`|~, found '\(UntrustedText.display(key))'")
                    }
                    guard !["host", "content-length", "transfer-encoding", "expect", "connection"].contains(key.lowercased()) else {
                        throw ConfigError(path, "mvpipe sets \(key) itself")
                    }
                    return (key, try Secret.reference(object[key]!, path: path, context: site.context))
                }
            }

        public static let specs = OptionSpec.list(url, headers) + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            url = try reader.read(Self.url)
            headers = try reader.read(Self.headers)
            let secretInvolved = url.origin != .inline || headers.contains { $0.value.origin != .inline }
            endpoint = try HTTPEndpointOption.parse(url.reveal, path: reader.path(of: url.origin.key(for: Self.url.name)),
                                                    secretInvolved: secretInvolved, showValue: url.origin == .inline)
            transport = try TransportSettings(reading: &reader, context: context)
        }

        /// An RFC 9110 token (a header name).
        static func isToken(_ text: String) -> Bool {
            !text.isEmpty && text.unicodeScalars.allSatisfy { s in
                s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(s))
            }
        }
    }

    public static let type = "webhook"
    public static let summary = "POSTs a documented JSON document of the alerts to any URL (headers from env vars or files)."

    /// The options in force.
    let options: Options
    /// The entry's name (in the document).
    private let name: String

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        self.name = context.entryName
    }

    public var description: String {
        let o = options
        let from = o.url.origin == .inline ? "" : " (URL from \(o.url.origin))"
        let headerList = o.headers.map { h in h.value.origin == .inline ? h.name : "\(h.name) from \(h.value.origin)" }
        let headers = headerList.isEmpty ? "" : ", headers: \(headerList.joined(separator: ", "))"
        return "webhook: POST JSON (schema \(WebhookDocument.schemaVersion)) to \(o.endpoint.redacted)\(from)\(headers)\(o.transport.verificationNote)"
    }

    public func deliver(_ batch: AlertBatch) throws {
        let o = options
        let configured = Set(o.headers.map { $0.name.lowercased() })
        let headers = HTTPDelivery.jsonHeaders.filter { !configured.contains($0.name.lowercased()) }
            + o.headers.map { ($0.name, $0.value.reveal) }
        try o.transport.send(.post, to: o.url.reveal, headers: headers,
                             body: try HTTPDelivery.json(WebhookDocument(batch: batch, notifier: name)),
                             target: "webhook \(o.endpoint.redacted)",
                             secrets: [o.url] + o.headers.map(\.value).filter { $0.origin != .inline })
    }
}
