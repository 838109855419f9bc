/// The bracketed tags of an ASSP `maillog.txt` line, before its client IP, that matter here.
///
/// ASSP's `mlog` writes `[TLS-in]`/`[SSL-in]` when the client side is encrypted (STARTTLS / implicit TLS),
/// `[TLS-out]`/`[SSL-out]` for the server side, then the connection's `prepend` tag. The tags of an accepted
/// message's final line are `[MessageOK]` (2.x: every accepted message; 1.x: incoming mail), and in 1.x `[LocalOK]`
/// (relayed: authenticated or an `acceptAllMail` client), `[WhitelistedOK]` and `[NoProcessingOK]`. Every other
/// tag (`[Authentication]`, `[RelayAttempt]`, `[DONE]`, `[LocalRelay]`, ...) sets ``other`` (and ``done`` for 1.x's
/// `[DONE]`, the end of a connection).
struct ASSPTags: OptionSet, Sendable, Hashable {
    let rawValue: UInt16
    init(rawValue: UInt16) { self.rawValue = rawValue }

    static let tlsIn = ASSPTags(rawValue: 1 << 0)
    static let sslIn = ASSPTags(rawValue: 1 << 1)
    static let tlsOut = ASSPTags(rawValue: 1 << 2)
    static let sslOut = ASSPTags(rawValue: 1 << 3)
    static let messageOK = ASSPTags(rawValue: 1 << 4)
    static let localOK = ASSPTags(rawValue: 1 << 5)
    static let whitelistedOK = ASSPTags(rawValue: 1 << 6)
    static let noProcessingOK = ASSPTags(rawValue: 1 << 7)
    static let done = ASSPTags(rawValue: 1 << 8)
    /// Any other bracketed tag.
    static let other = ASSPTags(rawValue: 1 << 15)

    /// The tags of an accepted message's final line.
    static let accepted: ASSPTags = [.messageOK, .localOK, .whitelistedOK, .noProcessingOK]

    /// The tag named by `line[r]` (the text between `[` and `]`).
    static func classify(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> ASSPTags {
        func eq(_ lit: StaticString) -> Bool {
            r.count == lit.utf8CodeUnitCount && ByteScan.hasPrefix(line, lit, at: r.lowerBound)
        }
        switch r.count {
        case 4: return eq("DONE") ? .done : .other
        case 6: return eq("TLS-in") ? .tlsIn : eq("SSL-in") ? .sslIn : .other
        case 7: return eq("TLS-out") ? .tlsOut : eq("SSL-out") ? .sslOut : eq("LocalOK") ? .localOK : .other
        case 9: return eq("MessageOK") ? .messageOK : .other
        case 13: return eq("WhitelistedOK") ? .whitelistedOK : .other
        case 14: return eq("NoProcessingOK") || eq("NoprocessingOK") ? .noProcessingOK : .other
        default: return .other
        }
    }
}
