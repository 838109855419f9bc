import Foundation
import Pipeline

/// One HTTP delivery attempt and what its outcome means: 2xx delivered; 408, 425, 429 and
/// 5xx transient (with the server's `Retry-After`); redirects and other 4xx permanent;
/// connection errors and timeouts transient; TLS and URL errors permanent.
enum HTTPDelivery {
    /// Performs `request` against `target` (a redacted URL, for messages) and classifies the result.
    /// `interpret` may decide a response first (return `nil` to fall back to the status rules).
    static func attempt(_ request: HTTPRequest, target: String,
                        interpret: (HTTPResponse) -> AttemptResult? = { _ in nil }) -> AttemptResult {
        let response: HTTPResponse
        do throws(CurlError) {
            response = try request.perform()
        } catch {
            return transportFailure(error, target: target)
        }
        return interpret(response) ?? classify(response, target: target)
    }

    /// The status rules.
    static func classify(_ response: HTTPResponse, target: String) -> AttemptResult {
        let status = response.status
        switch status {
        case 200..<300:
            return .delivered
        case 300..<400:
            return .permanent(answered(response, target: target, advice: "redirects are not followed, configure the final URL"))
        case 408, 425, 429, 500..<600:
            return .transient(answered(response, target: target), retryAfter: retryAfter(response))
        default:
            return .permanent(answered(response, target: target))
        }
    }

    /// "TARGET answered HTTP STATUS", quoting the body (shown only through the retrier's ``Redactor``).
    static func answered(_ response: HTTPResponse, target: String, advice: String? = nil) -> FailureReason {
        FailureReason("\(target) answered HTTP \(response.status)", quoting: ServerText.plain(body: response.body),
                      advice: advice)
    }

    /// A libcurl failure as an attempt result.
    static func transportFailure(_ error: CurlError, target: String) -> AttemptResult {
        let reason = FailureReason("cannot deliver to \(target)", quoting: error.description, limit: 300)
        return error.isTransient ? .transient(reason, retryAfter: nil) : .permanent(reason)
    }

    /// `Retry-After` in seconds: a number of seconds or an HTTP date; `nil` when absent or unreadable.
    static func retryAfter(_ response: HTTPResponse, now: Date = Date()) -> Double? {
        guard let raw = response.header("retry-after")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return nil
        }
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: raw) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// The JSON headers every JSON POST/PUT carries.
    static let jsonHeaders: [(name: String, value: String)] = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("User-Agent", "mvpipe"),
    ]

    /// Encodes `value` as compact JSON (the encoder escapes quotes, backslashes and control characters).
    static func json<T: Encodable>(_ value: T) throws(NotifierError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw NotifierError("cannot encode the message as JSON (a value JSON cannot hold, such as NaN)", transient: false)
        }
    }
}
