import Pipeline

/// Messages and recipients per (day, user) found on one run; bounded by days × users.
struct VolumeTally {
    /// Per (day, user): messages, recipients, and whether some message's recipients were not known.
    private var counts: [Int64: (messages: Int, recipients: Int, unknown: Bool)] = [:]
    /// Messages per (user, 5-minute bucket number), for the burst detector.
    private var buckets: [Int64: Int] = [:]

    /// Adds to the volume of user `user` on the day numbered `day`; messages also go into the
    /// 5-minute bucket of `instant` (seconds since 1970) when it is known. `recipients` nil says the log did not
    /// say how many there were: that user's recipients on that day are then reported as unknown, never as a
    /// number that leaves some out.
    mutating func add(day: Int32, user: Int32, messages: Int, recipients: Int?, instant: Int64? = nil) {
        let key = Int64(day) << 32 | Int64(UInt32(bitPattern: user))
        counts[key, default: (0, 0, false)].messages += messages
        if let recipients {
            counts[key, default: (0, 0, false)].recipients += recipients
        } else {
            counts[key, default: (0, 0, false)].unknown = true
        }
        if messages != 0, let instant {
            let bucket = (instant - ((instant % TimeBuckets.size) + TimeBuckets.size) % TimeBuckets.size) / TimeBuckets.size
            buckets[Int64(user) << 32 | bucket, default: 0] += messages
        }
    }

    /// The report's buckets: per user, messages per bucket start.
    func bucketCounts(users: UserTable) -> [String: [Int64: Int]] {
        var result: [String: [Int64: Int]] = [:]
        for (key, messages) in buckets {
            let user = users.text(of: Int32(truncatingIfNeeded: key >> 32))
            result[user, default: [:]][(key & 0xFFFF_FFFF) * TimeBuckets.size] = messages
        }
        return result
    }

    /// Whether nothing was counted.
    var isEmpty: Bool { counts.isEmpty }

    /// The report's counts; `recipients` is left out when the source does not know them, or (for that user and
    /// day) when it did not know them for every message.
    func volumes(users: UserTable, withRecipients: Bool) -> [Day: [String: UserVolume]] {
        var result: [Day: [String: UserVolume]] = [:]
        for (key, value) in counts {
            let day = Day(dayNumber: Int(key >> 32))
            let user = users.text(of: Int32(truncatingIfNeeded: key))
            result[day, default: [:]][user] = UserVolume(messages: value.messages,
                                                         recipients: withRecipients && !value.unknown ? value.recipients : nil)
        }
        return result
    }
}
