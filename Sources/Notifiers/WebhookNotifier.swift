import Foundation
import Logging
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
        /// The entry's name (in the document).
        var name: String

        public static let specs: [OptionSpec] = [
            OptionSpec("url", .string, default: "none (one of url, url_env, url_file is required)", "The receiver's URL (http:// only for this machine or when nothing secret is sent)."),
            OptionSpec("url_env", .string, default: "none", "Environment variable holding the URL, when the URL carries a token."),
            OptionSpec("url_file", .string, default: "none", "File holding the URL."),
            OptionSpec("headers", .object, default: "{}", "Extra header fields: a string value as is, {\"env\": \"NAME\"} or {\"file\": \"/path\"} for a secret value."),
        ] + TransportSettings.specs

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            name = try reader.string("name") ?? WebhookNotifier.type
            guard let (value, origin) = try reader.secret("url", context: context, inlineAllowed: true) else {
                throw ConfigError(reader.path(of: "url"), "required: set \"url\", or \"url_env\" / \"url_file\" when the URL carries a token")
            }
            var parsedHeaders: [(name: String, value: Secret)] = []
            if let raw = reader.value("headers") {
                guard case .object(let object) = raw else {
                    throw ConfigError(reader.path(of: "headers"), "expected an object of header names to values, found \(raw.kindDescription)")
                }
                for key in object.keys.sorted() {
                    let path = "\(reader.path(of: "headers")).\(key)"
                    guard Options.isToken(key) else {
                        throw ConfigError(path, "expected a header name of letters, digits and -!#$%&'*+.^_`|~, found '\(UntrustedText.display(key))'")
                    }
                    guard !["host", "content-length", "transfer-encoding", "expect", "connection"].contains(key.lowercased()) else {
                        throw ConfigError(path, "mvpipe sets \(key) itself")
                    }
                    let (v, o) = try OptionsReader.secretReference(object[key]!, path: path, context: context)
                    parsedHeaders.append((key, Secret(v, origin: o)))
                }
            }
            headers = parsedHeaders
            let secretInvolved = origin != .inline || parsedHeaders.contains { $0.value.origin != .inline }
            let key = switch origin { case .inline: "url"; case .environment: "url_env"; case .file: "url_file" }
            endpoint = try HTTPEndpointOption.parse(value, path: reader.path(of: key), secretInvolved: secretInvolved,
                                                    showValue: origin == .inline)
            url = Secret(value, origin: origin)
            transport = try TransportSettings(reading: &reader, context: context, type: WebhookNotifier.type)
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
    private let logger: Logger
    private let clock: any RetryClock

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        self.logger = context.logger
        self.clock = context.retryClock
    }

    public var description: String {
        let o = options
        let from = o.url.origin == .inline ? "" : " (URL from \(o.url.origin))"
        let headerList = o.headers.map { h in h.value.origin == .inline ? h.name : "\(h.name) from \(h.value.origin)" }
        let headers = headerList.isEmpty ? "" : ", headers: \(headerList.joined(separator: ", "))"
        let verify = o.transport.insecureSkipVerify ? ", certificate NOT verified" : ""
        return "webhook: POST JSON (schema \(WebhookDocument.schemaVersion)) to \(o.endpoint.redacted)\(from)\(headers)\(verify)"
    }

    public func deliver(_ batch: AlertBatch) throws {
        let o = options
        let configured = Set(o.headers.map { $0.name.lowercased() })
        let headers = HTTPDelivery.jsonHeaders.filter { !configured.contains($0.name.lowercased()) }
            + o.headers.map { ($0.name, $0.value.reveal) }
        let request = HTTPRequest(method: .post, url: o.url.reveal, headers: headers,
                                  body: try HTTPDelivery.json(WebhookDocument(batch: batch, notifier: o.name)),
                                  connectTimeout: o.transport.connectTimeout, totalTimeout: o.transport.timeout,
                                  caFile: o.transport.caFile, insecureSkipVerify: o.transport.insecureSkipVerify)
        let retrier = DeliveryRetrier(label: "webhook \(o.name)", budget: o.transport.maxRetrySeconds, logger: logger,
                                      secrets: [o.url] + o.headers.map(\.value).filter { $0.origin != .inline }, clock: clock)
        try retrier.run {
            HTTPDelivery.attempt(request, target: "webhook \(o.endpoint.redacted)")
        }
    }
}
