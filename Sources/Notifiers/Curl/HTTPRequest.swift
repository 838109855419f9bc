import CCurl

/// An HTTP(S) request performed with libcurl: webhooks, Slack, Matrix.
///
/// Redirects are never followed (a webhook POST must not be replayed to
/// another URL), only `http`/`https` are allowed, TLS verification is on
/// unless ``insecureSkipVerify`` is set, and `Expect: 100-continue` is
/// disabled unless you pass your own `Expect` header.
struct HTTPRequest: Sendable {
    /// Supported request methods.
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
    }

    /// The request method.
    var method: Method
    /// Absolute `http://` or `https://` URL, already percent-encoded; it is
    /// sent as given (e.g. `!abc%3Aexample.org` stays encoded).
    var url: String
    /// Request header fields, sent in order. Names/values must not contain
    /// CR, LF or NUL. Without a `Content-Type`, libcurl sends
    /// `application/x-www-form-urlencoded` for POST/PUT bodies.
    var headers: [(name: String, value: String)]
    /// Request body for POST/PUT (ignored for GET).
    var body: [UInt8]
    /// Seconds allowed to establish the connection (incl. TLS handshake).
    var connectTimeout: Double
    /// Seconds allowed for the whole transfer.
    var totalTimeout: Double
    /// PEM CA bundle to verify the server with (`CURLOPT_CAINFO`); `nil`
    /// uses the system store.
    var caFile: String?
    /// Disables peer and host name verification. Never enable in production.
    var insecureSkipVerify: Bool
    /// Responses with a larger body fail with `CURLE_WRITE_ERROR`.
    var maxResponseBytes: Int

    /// Creates a request.
    init(
        method: Method,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        connectTimeout: Double = 10,
        totalTimeout: Double = 30,
        caFile: String? = nil,
        insecureSkipVerify: Bool = false,
        maxResponseBytes: Int = 8 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
        self.maxResponseBytes = maxResponseBytes
    }

    /// Performs the request, blocking the calling thread until it completes.
    ///
    /// - Returns: The final response, whatever its status (4xx/5xx included).
    /// - Throws: ``CurlError`` for transport failures (connection refused,
    ///   timeout, TLS, DNS) or an invalid request (bad header).
    func perform() throws(CurlError) -> HTTPResponse {
        var lines: [String] = []
        var hasExpect = false
        for (name, value) in headers {
            guard !name.isEmpty, !name.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: " ") || isUnsafeHeaderByte($0) }),
                  !value.utf8.contains(where: isUnsafeHeaderByte) else {
                throw CurlError.invalidRequest("invalid header field \(String(reflecting: name))")
            }
            if name.lowercased() == "expect" { hasExpect = true }
            // "Name;" is libcurl's syntax for a header with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !hasExpect { lines.append("Expect:") } // disable 100-continue waits

        let easy = try CurlEasy()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, false)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connectTimeout))
        try easy.set(CURLOPT_TIMEOUT_MS, milliseconds(totalTimeout))
        try easy.set(CURLOPT_SSL_VERIFYPEER, insecureSkipVerify ? 0 : 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, insecureSkipVerify ? 0 : 2)
        if let caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        try easy.set(CURLOPT_HTTPHEADER, list: lines)
        switch method {
        case .get:
            try easy.set(CURLOPT_HTTPGET, true)
        case .post:
            try easy.set(CURLOPT_POST, true)
            try easy.setPostBody(body)
        case .put:
            // POST machinery with the method name replaced: sends the body
            // with Content-Length, no read callback needed.
            try easy.set(CURLOPT_POST, true)
            try easy.setPostBody(body)
            try easy.set(CURLOPT_CUSTOMREQUEST, "PUT")
        }
        easy.collectResponseBody(maxBytes: maxResponseBytes)
        try easy.collectResponseHeaders()
        try easy.perform()
        return HTTPResponse(status: easy.responseCode(), headers: easy.headerFields, body: easy.body)
    }
}

/// CR, LF and NUL would let a value inject extra header lines. Checked on
/// UTF-8 bytes: "\r\n" is a single `Character`, so Character checks miss it.
func isUnsafeHeaderByte(_ b: UInt8) -> Bool {
    b == 0x0D || b == 0x0A || b == 0x00
}

/// Seconds to libcurl milliseconds; at least 1 ms (0 would mean "no limit").
func milliseconds(_ seconds: Double) -> Int {
    guard seconds.isFinite, seconds > 0 else { return 1 }
    return Int(min((seconds * 1000).rounded(.up), 1e12))
}
