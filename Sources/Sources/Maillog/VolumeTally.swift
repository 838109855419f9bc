import Pipeline

/// Messages and recipients per (day, user) found on one run; bounded by days × users.
struct VolumeTally {
    private var counts: [Int64: (messages: Int, recipients: Int)] = [:]
    /// Messages per (user, 5-minute bucket number), for the burst detector.
    private var buckets: [Int64: Int] = [:]

    /// Adds to the volume of user `user` on the day numbered `day`; messages also go into the
    /// 5-minute bucket of `instant` (seconds since 1970) when it is known.
    mutating func add(day: Int32, user: Int32, messages: Int, recipients: Int, instant: Int64? = nil) {
        let key = Int64(day) << 32 | Int64(UInt32(bitPattern: user))
        counts[key, default: (0, 0)].messages += messages
        counts[key, default: (0, 0)].recipients += recipients
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

    /// The report's counts; `recipients` is left out when the source does not know them.
    func volumes(users: UserTable, withRecipients: Bool) -> [Day: [String: UserVolume]] {
        var result: [Day: [String: UserVolume]] = [:]
        for (key, value) in counts {
            let day = Day(dayNumber: Int(key >> 32))
            let user = users.text(of: Int32(truncatingIfNeeded: key))
            var volume = result[day, default: [:]][user] ?? UserVolume(messages: 0, recipients: withRecipients ? 0 : nil)
            volume.messages += value.messages
            if withRecipients { volume.recipients = (volume.recipients ?? 0) + value.recipients }
            result[day, default: [:]][user] = volume
        }
        return result
    }
}
