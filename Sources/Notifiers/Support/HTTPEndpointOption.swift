import Pipeline

/// Reading an HTTP(S) URL option: `https://` anywhere, `http://` only where nothing secret
/// would cross the network in clear text (a server on this machine, or a URL with no secret).
enum HTTPEndpointOption {
    /// Validates `text` read from `path`; `secretInvolved` says whether the URL or the request
    /// carries a secret. `showValue` is false when the URL itself is the secret.
    static func parse(_ text: String, path: String, secretInvolved: Bool, showValue: Bool) throws -> EndpointURL {
        let shown = showValue ? " '\(UntrustedText.display(text))'" : ""
        guard let url = EndpointURL(text, schemes: ["http", "https"]) else {
            throw ConfigError(path, "expected an http:// or https:// URL with a host and without user name or password, found\(showValue ? shown : " something else (value not shown: it is a secret)")")
        }
        if url.scheme == "http" && secretInvolved && !url.isLocal {
            throw ConfigError(path, "an http:// URL would send a secret in clear text to \(url.host); use https:// (http:// is only allowed for localhost, 127.0.0.1 and ::1)")
        }
        return url
    }
}
