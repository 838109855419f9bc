import Foundation
import Pipeline

/// A user name checked for use as exactly one key of a Postfix lookup table (`texthash:`, `hash:`, `lmdb:`).
///
/// User names are attacker-controlled text. A name is written to the map only when it is one key and nothing else:
/// printable ASCII without whitespace (so it cannot end the key early or start another line), not a comment, and
/// not a form Postfix's access tables read as many accounts (`user@`, `@domain`). The key is the name in ASCII lower
/// case, as Postfix folds the lookups of these tables.
enum PostfixMapKey {
    /// The longest key written, in bytes (an address is at most 254; logins are shorter still).
    static let maximumLength = 320

    /// Why a name cannot be a map key.
    struct Refusal: Error, Sendable, Equatable {
        /// The reason, for the alert text.
        let reason: String
    }

    /// The map key for `user`, or why it cannot be one.
    static func key(for user: String, lookup: PostfixHoldNotifier.Lookup = .saslLogin) throws(Refusal) -> String {
        let scalars = Array(user.unicodeScalars)
        guard !scalars.isEmpty else { throw Refusal(reason: "the name is empty") }
        guard user.utf8.count <= maximumLength else {
            throw Refusal(reason: "the name is \(user.utf8.count) bytes long, more than the \(maximumLength) mvpipe writes as a map key")
        }
        if scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            throw Refusal(reason: "the name contains control characters (a line break in it could add a line to the map)")
        }
        if scalars.contains(where: { $0.properties.isWhitespace }) {
            throw Refusal(reason: "the name contains whitespace (a map key ends at the first space)")
        }
        if scalars.contains(where: { $0.value > 0x7E }) {
            throw Refusal(reason: "the name has characters outside ASCII (Postfix may fold their case differently, so the key might not match)")
        }
        if scalars[0] == "#" {
            throw Refusal(reason: "the name starts with '#' (Postfix reads such a line as a comment)")
        }
        if scalars.first == "@" || scalars.last == "@" {
            throw Refusal(reason: "a key of the form 'user@' or '@domain' would hold every account with that local part or domain")
        }
        if scalars.filter({ $0 == "@" }).count > 1 {
            throw Refusal(reason: "the name has more than one '@', so it is no single address")
        }
        if user == "<>" {
            throw Refusal(reason: "'<>' is the null sender's lookup key: holding it would hold every bounce")
        }
        if IPAddressKey.looksLikeAddress(user) {
            throw Refusal(reason: "the name is an IP address (a source with \"identity\": \"client_ip\"), which check_sasl_access and check_sender_access never look up; block it with check_client_access by hand")
        }
        if lookup == .sender, !scalars.contains("@") {
            throw Refusal(reason: "check_sender_access reads a key without '@' as a whole domain (and its subdomains) or a local part, so only whole addresses are written to a sender map")
        }
        return String(String.UnicodeScalarView(scalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 }))
    }

    /// `text` as one POSIX shell word: as is when it is plain, else in single quotes (for a command line to copy).
    static func shellWord(_ text: String) -> String {
        let plain = !text.isEmpty && !text.hasPrefix("-") && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "@._+-=/:,%".unicodeScalars.contains($0)
        }
        if plain { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Telling an IP address from a login.
enum IPAddressKey {
    /// Whether `text` is an IPv4 or IPv6 address literal.
    static func looksLikeAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
