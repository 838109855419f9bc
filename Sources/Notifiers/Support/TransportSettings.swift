import Logging
import Pipeline

/// Options every libcurl notifier shares: TLS trust, timeouts and the retry budget.
struct TransportSettings: Sendable {
    /// PEM CA bundle to verify servers with, instead of the system store.
    var caFile: String?
    /// Skips certificate verification (lab setups only; logged as a warning).
    var insecureSkipVerify: Bool
    /// Seconds one attempt may take, connection included.
    var timeout: Double
    /// Seconds one run may spend retrying transient failures before leaving the alerts queued.
    var maxRetrySeconds: Double

    /// The shared options, documented.
    static let specs: [OptionSpec] = [
        OptionSpec("ca_file", .string, default: "the system CA store", "PEM file of CA certificates to verify the server with (relative paths: from the config file's folder)."),
        OptionSpec("insecure_skip_verify", .boolean, default: "false", "Do not verify the server's certificate (lab setups only; logged as a warning on every run)."),
        OptionSpec("timeout", .number, default: "30", "Seconds one attempt may take, connecting included."),
        OptionSpec("max_retry_seconds", .number, default: "30", "Seconds one run may spend retrying transient failures (with exponential backoff and jitter, honouring Retry-After); then the alerts stay queued for the next run."),
    ]

    /// Reads the shared options; warns through the context's logger when verification is off.
    init(reading reader: inout OptionsReader, context: PluginContext, type: String) throws {
        if let file = try reader.string("ca_file") {
            guard !file.isEmpty else { throw ConfigError(reader.path(of: "ca_file"), "must not be empty") }
            let resolved = context.resolve(path: file)
            guard FileManagerProbe.isReadableFile(resolved) else {
                throw ConfigError(reader.path(of: "ca_file"), "cannot read CA file \(UntrustedText.display(resolved))")
            }
            caFile = resolved
        }
        insecureSkipVerify = try reader.boolean("insecure_skip_verify", default: false)
        timeout = try reader.number("timeout", default: 30, in: 0.1...3600)
        maxRetrySeconds = try reader.number("max_retry_seconds", default: 30, in: 0...3600)
        if insecureSkipVerify {
            context.logger.warning("notifier \(type) at \(reader.path): insecure_skip_verify is true; server certificates are NOT verified")
        }
    }

    /// Seconds allowed to connect (never more than the whole attempt).
    var connectTimeout: Double { min(timeout, 10) }
}
