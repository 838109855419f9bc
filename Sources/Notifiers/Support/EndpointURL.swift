import Foundation

/// A validated server URL: scheme, host and port known, no credentials, no spaces or
/// control characters. Its ``redacted`` form is safe to print even when the path is a secret.
struct EndpointURL: Sendable, Equatable {
    /// The URL as configured (sent as is).
    let text: String
    /// The scheme, lower-cased (`https`, `smtp`, …).
    let scheme: String
    /// The host name or address, without IPv6 brackets.
    let host: String
    /// The explicit port, if any.
    let port: Int?

    /// Parses `text`; `nil` unless it is an absolute URL with one of `schemes`, a host, and
    /// no user info, whitespace or control characters.
    init?(_ text: String, schemes: Set<String>) {
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
              let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), schemes.contains(scheme),
              var host = components.host, !host.isEmpty,
              components.user == nil, components.password == nil else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.text = text
        self.scheme = scheme
        self.host = host
        self.port = components.port
    }

    /// Whether the host is this machine (`localhost`, 127.0.0.0/8 or `::1`): clear text cannot leave it.
    var isLocal: Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// `scheme://host:port/…`: the path and query left out (they may carry a secret).
    var redacted: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)\(port.map { ":\($0)" } ?? "")/…"
    }

    /// `scheme://host:port`, the origin to which paths are appended.
    var origin: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)\(port.map { ":\($0)" } ?? "")"
    }
}
