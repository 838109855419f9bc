/// The bracketed tags of an ASSP `maillog.txt` line that matter here.
///
/// ASSP's `mlog` writes `[TLS-in]`/`[SSL-in]` when the client side is encrypted (STARTTLS / implicit TLS),
/// `[TLS-out]`/`[SSL-out]` for the server side, then the connection's `prepend` tag such as `[MessageOK]`.
/// Every other bracketed tag (`[Local]`, `[Whitelisted]`, `[DNSBL]`, `[RelayAttempt]`, ...) sets ``other``
/// (and ``local`` for `[Local]`).
struct ASSPTags: OptionSet, Sendable, Hashable {
    let rawValue: UInt16
    init(rawValue: UInt16) { self.rawValue = rawValue }

    static let tlsIn = ASSPTags(rawValue: 1 << 0)
    static let sslIn = ASSPTags(rawValue: 1 << 1)
    static let tlsOut = ASSPTags(rawValue: 1 << 2)
    static let sslOut = ASSPTags(rawValue: 1 << 3)
    static let messageOK = ASSPTags(rawValue: 1 << 4)
    static let local = ASSPTags(rawValue: 1 << 5)
    /// Any other bracketed tag.
    static let other = ASSPTags(rawValue: 1 << 15)

    /// The tag named by `line[r]` (the text between `[` and `]`).
    static func classify(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> ASSPTags {
        func eq(_ lit: StaticString) -> Bool {
            r.count == lit.utf8CodeUnitCount && ByteScan.hasPrefix(line, lit, at: r.lowerBound)
        }
        switch r.count {
        case 5: return eq("Local") ? .local : .other
        case 6: return eq("TLS-in") ? .tlsIn : eq("SSL-in") ? .sslIn : .other
        case 7: return eq("TLS-out") ? .tlsOut : eq("SSL-out") ? .sslOut : .other
        case 9: return eq("MessageOK") ? .messageOK : .other
        default: return .other
        }
    }
}
