import CCurl

/// Process-wide libcurl state.
///
/// `curl_global_init` must run exactly once before any easy handle is
/// created, and it is not itself thread-safe. The initialization is stored
/// in a `static let`, which Swift evaluates lazily and exactly once under a
/// lock, so concurrent first callers are safe. `curl_global_cleanup` is never
/// called: the state lives for the whole process, which is what a CLI needs.
enum Curl {
    /// Raw `CURLcode` returned by the one and only `curl_global_init` call.
    private static let globalInitCode: UInt32 = mvp_global_init_default().rawValue

    /// Initializes libcurl (`curl_global_init(CURL_GLOBAL_DEFAULT)`) if that
    /// has not happened yet. Idempotent and thread-safe; every transfer calls
    /// it, so calling it explicitly is optional (e.g. at program start).
    ///
    /// - Throws: ``CurlError`` if global initialization failed.
    static func initialize() throws(CurlError) {
        let code = globalInitCode
        if code != CURLE_OK.rawValue {
            throw CurlError(curlCode: code, detail: "curl_global_init failed", replyCode: nil)
        }
    }

    /// The libcurl version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.x ...`.
    static var version: String {
        String(cString: curl_version())
    }
}
