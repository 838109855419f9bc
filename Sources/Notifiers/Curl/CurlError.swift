import CCurl

/// A failed transfer: a transport failure (connection refused, timeout, TLS
/// or DNS failure, protocol-level refusal by an SMTP server) or a request that
/// was rejected before any network traffic.
///
/// HTTP 4xx/5xx responses are *not* errors: they are returned as an
/// ``HTTPResponse`` with their status.
struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the failure comes from.
    enum Kind: Sendable, Equatable {
        /// libcurl reported a failure while transferring.
        case transport
        /// The request was refused locally before any network traffic
        /// (e.g. an unsafe e-mail address or header); never worth retrying.
        case invalidRequest
    }

    /// Where the failure comes from.
    let kind: Kind
    /// The raw libcurl `CURLcode` (e.g. 7 = `CURLE_COULDNT_CONNECT`,
    /// 28 = `CURLE_OPERATION_TIMEDOUT`). For ``Kind/invalidRequest`` this is
    /// `CURLE_BAD_FUNCTION_ARGUMENT` (43).
    let code: Int
    /// `curl_easy_strerror(code)`: the generic text for the code.
    let message: String
    /// The specific detail from `CURLOPT_ERRORBUFFER` (may be empty), or the
    /// validation failure for ``Kind/invalidRequest``.
    let detail: String
    /// The last protocol reply code the server sent (`CURLINFO_RESPONSE_CODE`),
    /// e.g. the SMTP reply `450` or `550`; `nil` when the server never replied.
    let replyCode: Int?
    /// Whether retrying later may succeed.
    ///
    /// An SMTP reply code decides first: 4xx is transient, 5xx permanent.
    /// Otherwise the CURLcode decides: connect, timeout, send/receive, DNS
    /// and "empty reply" failures are transient; TLS verification failures,
    /// malformed URLs, unsupported protocols, login denied, STARTTLS refused
    /// and invalid requests are permanent. A denied login is always permanent.
    let isTransient: Bool

    /// Builds an error from a libcurl result code.
    init(curlCode: UInt32, detail: String, replyCode: Int?) {
        self.kind = .transport
        self.code = Int(curlCode)
        self.message = String(cString: curl_easy_strerror(CURLcode(rawValue: curlCode)))
        self.detail = detail
        self.replyCode = replyCode
        self.isTransient = CurlError.classify(code: curlCode, replyCode: replyCode)
    }

    /// Builds an error for a request refused before any network traffic.
    static func invalidRequest(_ detail: String) -> CurlError {
        CurlError(kind: .invalidRequest, detail: detail)
    }

    private init(kind: Kind, detail: String) {
        self.kind = kind
        self.code = Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue)
        self.message = "invalid request"
        self.detail = detail
        self.replyCode = nil
        self.isTransient = false
    }

    /// True when the transfer hit `CONNECTTIMEOUT`/`TIMEOUT`.
    var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) && kind == .transport }

    /// True when the TCP connection could not be established.
    var isConnectionFailure: Bool { code == Int(CURLE_COULDNT_CONNECT.rawValue) && kind == .transport }

    /// True when the server rejected the credentials (`CURLE_LOGIN_DENIED`).
    var isLoginDenied: Bool { code == Int(CURLE_LOGIN_DENIED.rawValue) && kind == .transport }

    /// Human-readable summary: code, generic text, detail and reply code.
    var description: String {
        var s = kind == .invalidRequest ? "invalid request" : "curl error \(code) (\(message))"
        if !detail.isEmpty { s += ": \(detail)" }
        if let replyCode { s += " [reply \(replyCode)]" }
        s += isTransient ? " [transient]" : " [permanent]"
        return s
    }

    /// Transient/permanent classification; see ``isTransient``.
    static func classify(code: UInt32, replyCode: Int?) -> Bool {
        if code == CURLE_LOGIN_DENIED.rawValue { return false }
        if let reply = replyCode {
            if (400..<500).contains(reply) { return true }
            if (500..<600).contains(reply) { return false }
        }
        switch CURLcode(rawValue: code) {
        case CURLE_COULDNT_RESOLVE_PROXY,
             CURLE_COULDNT_RESOLVE_HOST,
             CURLE_COULDNT_CONNECT,
             CURLE_OPERATION_TIMEDOUT,
             CURLE_SEND_ERROR,
             CURLE_RECV_ERROR,
             CURLE_GOT_NOTHING,
             CURLE_PARTIAL_FILE,
             CURLE_HTTP2,
             CURLE_HTTP2_STREAM,
             CURLE_HTTP3,
             CURLE_QUIC_CONNECT_ERROR,
             CURLE_SSL_CONNECT_ERROR, // handshake aborted/reset mid-way
             CURLE_AGAIN:
            return true
        default:
            return false
        }
    }
}
