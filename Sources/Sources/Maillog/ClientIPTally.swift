import Pipeline

/// The client IPs each user's mail came from, per day, with a count per IP (the alert's "where the login was used
/// from"). Bounded: at most ``maxPerUserDay`` distinct IPs per user and day are kept (a botnet run is obvious long
/// before that).
struct ClientIPTally {
    /// Distinct IPs kept per user and day.
    static let maxPerUserDay = 64
    /// Per (day << 32 | user): messages per IP text.
    private var seen: [Int64: [String: Int]] = [:]

    /// Counts one message of `user` on the day numbered `day` from `ip` (the bracketed address of the log line:
    /// digits, hex letters, `.` and `:` only; anything else is not an IP and is ignored).
    mutating func add(day: Int32, user: Int32, ip: UnsafeBufferPointer<UInt8>) {
        guard !ip.isEmpty, ip.count <= 45, ip.allSatisfy(Self.isIPByte) else { return }
        let key = Int64(day) << 32 | Int64(UInt32(bitPattern: user))
        let text = String(decoding: ip, as: UTF8.self)
        if let count = seen[key]?[text] {
            seen[key]![text] = count + 1
        } else if (seen[key]?.count ?? 0) < Self.maxPerUserDay {
            seen[key, default: [:]][text] = 1
        }
    }

    /// Per day, per user, messages per IP; empties the tally.
    mutating func take(users: UserTable) -> [Day: [String: [String: Int]]] {
        var result: [Day: [String: [String: Int]]] = [:]
        for (key, ips) in seen {
            result[Day(dayNumber: Int(key >> 32)), default: [:]][users.text(of: Int32(truncatingIfNeeded: key))] = ips
        }
        seen = [:]
        return result
    }

    private static func isIPByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) || b == 0x2E || b == 0x3A
    }
}
