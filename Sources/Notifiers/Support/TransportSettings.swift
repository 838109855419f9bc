import Logging
import Pipeline

/// What every libcurl notifier shares: TLS trust, timeouts and the retry budget (its options), and how a delivery
/// is made with them: the request, the retries, the line in `description`. A notifier adds its own options with
/// ``specs`` and builds only its payload (and its escaping).
struct TransportSettings: Sendable {
    /// PEM CA bundle to verify servers with, instead of the system store.
    var caFile: String?
    /// Skips certificate verification (lab setups only; logged as a warning).
    var insecureSkipVerify: Bool
    /// Seconds one attempt may take, connection included.
    var timeout: Double
    /// Seconds one run may spend retrying transient failures before leaving the alerts queued.
    var maxRetrySeconds: Double
    /// The notifier entry's name, as messages about it say it.
    var notifier: String
    /// Where retries are logged.
    var logger: Logger
    /// What the retry budget is measured and backoff waited with (the real clock but in tests).
    var clock: any RetryClock

    static let caFile = ConfigOption<String?>.path("ca_file", absent: "the system CA store", "PEM file of CA certificates to verify the server with (relative paths: from the config file's folder).")
        .map { file, _ in
            if let file, !FileManagerProbe.isReadableFile(file) {
                throw OptionError("cannot read CA file \(UntrustedText.display(file))")
            }
            return file
        }
    static let insecureSkipVerify = ConfigOption("insecure_skip_verify", default: false, "Do not verify the server's certificate (lab setups only; logged as a warning on every run).")
    static let timeout = ConfigOption("timeout", default: 30.0, in: 0.1...3600, "Seconds one attempt may take, connecting included.")
    static let maxRetrySeconds = ConfigOption("max_retry_seconds", default: 30.0, in: 0...3600, "Seconds one run may spend retrying transient failures (with exponential backoff and jitter, honouring Retry-After); then the alerts stay queued for the next run.")

    /// The shared options, documented; a notifier appends them to its own.
    static let specs = OptionSpec.list(caFile, insecureSkipVerify, timeout, maxRetrySeconds)

    /// Reads the shared options; warns through the context's logger when verification is off.
    init(reading reader: inout OptionsReader, context: PluginContext) throws {
        caFile = try reader.read(Self.caFile)
        insecureSkipVerify = try reader.read(Self.insecureSkipVerify)
        timeout = try reader.read(Self.timeout)
        maxRetrySeconds = try reader.read(Self.maxRetrySeconds)
        notifier = context.entryName
        logger = context.logger
        clock = context.retryClock
        if insecureSkipVerify {
            context.logger.warning("notifier \(context.entryName) at \(reader.path): insecure_skip_verify is true; server certificates are NOT verified")
        }
    }

    /// Seconds allowed to connect (never more than the whole attempt).
    var connectTimeout: Double { min(timeout, 10) }

    /// `", certificate NOT verified"` when verification is off, for the notifier's `description`.
    var verificationNote: String { insecureSkipVerify ? ", certificate NOT verified" : "" }

    /// A request with these TLS and timeout settings.
    func request(_ method: HTTPRequest.Method, url: String, headers: [(name: String, value: String)],
                 body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: headers, body: body,
                    connectTimeout: connectTimeout, totalTimeout: timeout,
                    caFile: caFile, insecureSkipVerify: insecureSkipVerify)
    }

    /// A retrier with this run's budget, scrubbing `secrets` from whatever the other side says.
    func retrier(secrets: [Secret]) -> DeliveryRetrier {
        DeliveryRetrier(notifier: notifier, budget: maxRetrySeconds, logger: logger, secrets: secrets, clock: clock)
    }

    /// Sends one HTTP request until it is delivered or the retry budget is spent: `target` names the server in
    /// messages (never a secret), `interpret` may judge a response before the status rules (``HTTPDelivery``).
    func send(_ method: HTTPRequest.Method, to url: String, headers: [(name: String, value: String)], body: [UInt8],
              target: String, secrets: [Secret],
              interpret: (HTTPResponse) -> AttemptResult? = { _ in nil }) throws(NotifierError) {
        let request = request(method, url: url, headers: headers, body: body)
        try retrier(secrets: secrets).run {
            HTTPDelivery.attempt(request, target: target, interpret: interpret)
        }
    }
}
