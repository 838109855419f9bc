import CCurl

/// One message submission over SMTP with libcurl.
///
/// `smtp://host:port` connects in clear text and upgrades with STARTTLS when
/// ``tls`` is ``TLSMode/required`` (the transfer fails, without sending
/// anything, if the server does not offer STARTTLS). `smtps://host:port` is
/// implicit TLS regardless of ``tls``. Certificates are verified unless
/// ``insecureSkipVerify`` is set.
struct SMTPRequest: Sendable {
    /// Transport security for `smtp://` URLs.
    enum TLSMode: Sendable, Equatable {
        /// No STARTTLS (`CURLUSESSL_NONE`): everything, credentials
        /// included, travels in clear text.
        case off
        /// STARTTLS is mandatory (`CURLUSESSL_ALL`): fail rather than send
        /// in clear text.
        case required
    }

    /// `smtp://host[:port]` or `smtps://host[:port]`.
    var url: String
    /// STARTTLS policy; see ``TLSMode``.
    var tls: TLSMode
    /// SMTP AUTH user name (`CURLOPT_USERNAME`); `nil` for no AUTH.
    var username: String?
    /// SMTP AUTH password (`CURLOPT_PASSWORD`).
    var password: String?
    /// Envelope sender: a bare addr-spec such as `alerts@example.org`
    /// (no angle brackets, no display name).
    var mailFrom: String
    /// Envelope recipients, bare addr-specs; at least one.
    var recipients: [String]
    /// The complete RFC 5322 message (headers, blank line, body), ideally
    /// with CRLF line endings. libcurl performs the dot-stuffing.
    var message: [UInt8]
    /// PEM CA bundle for verifying the server (`CURLOPT_CAINFO`).
    var caFile: String?
    /// Disables peer and host name verification. Never enable in production.
    var insecureSkipVerify: Bool
    /// Seconds allowed to establish the connection.
    var connectTimeout: Double
    /// Seconds allowed for the whole SMTP session.
    var totalTimeout: Double

    /// Creates a submission.
    init(
        url: String,
        tls: TLSMode = .required,
        username: String? = nil,
        password: String? = nil,
        mailFrom: String,
        recipients: [String],
        message: [UInt8],
        caFile: String? = nil,
        insecureSkipVerify: Bool = false,
        connectTimeout: Double = 10,
        totalTimeout: Double = 60
    ) {
        self.url = url
        self.tls = tls
        self.username = username
        self.password = password
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.message = message
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// Checks that `address` is a bare addr-spec that is safe to put in
    /// `MAIL FROM:<...>` / `RCPT TO:<...>`: non-empty, exactly one `@` with
    /// text on both sides, and no CR, LF, NUL, other control characters,
    /// spaces, `<` or `>`.
    ///
    /// - Throws: ``CurlError`` of kind ``CurlError/Kind/invalidRequest``.
    static func validateAddress(_ address: String) throws(CurlError) {
        let bytes = Array(address.utf8)
        let ats = bytes.indices.filter { bytes[$0] == UInt8(ascii: "@") }
        let forbidden = bytes.contains { b in
            b < 0x21 || b == 0x7F || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
        }
        guard !forbidden, ats.count == 1, let at = ats.first, at > 0, at < bytes.count - 1 else {
            throw CurlError.invalidRequest("unsafe or malformed e-mail address \(String(reflecting: address))")
        }
    }

    /// Sends the message, blocking the calling thread until the server has
    /// accepted it (final `250` after DATA).
    ///
    /// - Throws: ``CurlError``: ``CurlError/Kind/invalidRequest`` (before
    ///   any network traffic) for unsafe addresses, no recipients or a
    ///   non-SMTP URL; otherwise a transport error whose
    ///   ``CurlError/replyCode`` is the server's SMTP reply (e.g. 450, 550,
    ///   535) when it sent one. 4xx replies are transient, 5xx permanent and
    ///   a denied login (`CURLE_LOGIN_DENIED`) is always permanent.
    func send() throws(CurlError) {
        try SMTPRequest.validateAddress(mailFrom)
        guard !recipients.isEmpty else { throw CurlError.invalidRequest("no recipients") }
        for rcpt in recipients { try SMTPRequest.validateAddress(rcpt) }
        let lower = url.lowercased()
        guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
            throw CurlError.invalidRequest("SMTP URL must start with smtp:// or smtps://")
        }
        for credential in [username, password] {
            if let credential, credential.utf8.contains(where: isUnsafeHeaderByte) {
                throw CurlError.invalidRequest("credentials must not contain CR, LF or NUL")
            }
        }

        let easy = try CurlEasy()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connectTimeout))
        try easy.set(CURLOPT_TIMEOUT_MS, milliseconds(totalTimeout))
        let useSSL = tls == .required ? CURLUSESSL_ALL : CURLUSESSL_NONE
        try easy.set(CURLOPT_USE_SSL, Int(useSSL.rawValue))
        try easy.set(CURLOPT_SSL_VERIFYPEER, insecureSkipVerify ? 0 : 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, insecureSkipVerify ? 0 : 2)
        if let caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        if let username { try easy.set(CURLOPT_USERNAME, username) }
        if let password { try easy.set(CURLOPT_PASSWORD, password) }
        try easy.set(CURLOPT_MAIL_FROM, "<\(mailFrom)>")
        try easy.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        try easy.setUpload(message)
        try easy.perform()
    }
}
