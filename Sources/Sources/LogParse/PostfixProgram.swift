/// The Postfix daemon that wrote a line: the last path component of the syslog tag.
///
/// `postfix/smtpd`, `postfix/submission/smtpd`, `postfix-out/smtps/smtpd` and `postfix/smtp-25/smtpd` are all
/// ``smtpd``; the leading components are the `syslog_name` (instance and `master.cf` service).
enum PostfixProgram: Sendable, Hashable {
    case smtpd
    case qmgr
    case pickup
    case cleanup
    case smtp
    case lmtp
    case local
    case virtual
    case bounce
    case error
    case postscreen
    case anvil
    case master
    case postdrop
    case sendmail
    case postqueue
    /// Any other component (`postfix-script`, `tlsmgr`, `trivial-rewrite`, `scache`, `pipe`, ...).
    case other

    /// Classifies the bytes `line[range]` (one path component).
    static func classify(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> PostfixProgram {
        let n = r.count
        let s = r.lowerBound
        func eq(_ lit: StaticString) -> Bool {
            n == lit.utf8CodeUnitCount && ByteScan.hasPrefix(line, lit, at: s)
        }
        switch n {
        case 4:
            if eq("qmgr") { return .qmgr }
            if eq("smtp") { return .smtp }
            if eq("lmtp") { return .lmtp }
        case 5:
            if eq("smtpd") { return .smtpd }
            if eq("local") { return .local }
            if eq("error") { return .error }
            if eq("anvil") { return .anvil }
        case 6:
            if eq("pickup") { return .pickup }
            if eq("bounce") { return .bounce }
            if eq("master") { return .master }
        case 7:
            if eq("cleanup") { return .cleanup }
            if eq("virtual") { return .virtual }
        case 8:
            if eq("postdrop") { return .postdrop }
            if eq("sendmail") { return .sendmail }
        case 9:
            if eq("postqueue") { return .postqueue }
        case 10:
            if eq("postscreen") { return .postscreen }
        default:
            break
        }
        return .other
    }
}
