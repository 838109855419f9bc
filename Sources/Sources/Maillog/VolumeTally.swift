import Pipeline

/// Messages and recipients per (day, user) found on one run; bounded by days × users.
struct VolumeTally {
    /// Flag in a count: some message's recipients were not known.
    private static let unknownFlag: UInt64 = 1 << 63
    /// Per (day << 32 | user): the unknown flag, messages (bits 32...62) and recipients (bits 0...31), 16 bytes an
    /// entry (a first run can meet a million users here).
    private var counts: [Int64: UInt64] = [:]
    /// Messages per (user, 5-minute bucket number), for the burst detector.
    private var buckets: [Int64: Int] = [:]
    /// Whether messages go into 5-minute buckets (only when a detector reads them: they cost memory per user).
    var recordsBuckets = true

    /// Adds to the volume of user `user` on the day numbered `day`; messages also go into the
    /// 5-minute bucket of `instant` (seconds since 1970) when it is known. `recipients` nil says the log did not
    /// say how many there were: that user's recipients on that day are then reported as unknown, never as a
    /// number that leaves some out.
    mutating func add(day: Int32, user: Int32, messages: Int, recipients: Int?, instant: Int64? = nil) {
        let key = Int64(day) << 32 | Int64(UInt32(bitPattern: user))
        var delta = UInt64(min(UInt32(clamping: messages), UInt32(Int32.max))) << 32
        if let recipients {
            delta &+= UInt64(UInt32(clamping: recipients))
        } else {
            delta |= Self.unknownFlag
        }
        counts[key, default: 0] = Self.merge(counts[key] ?? 0, delta)
        if recordsBuckets, messages != 0, let instant {
            let bucket = (instant - ((instant % TimeBuckets.size) + TimeBuckets.size) % TimeBuckets.size) / TimeBuckets.size
            buckets[Int64(user) << 32 | bucket, default: 0] += messages
        }
    }

    /// Adds two packed counts, keeping the unknown flag of either.
    private static func merge(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let flag = (a | b) & unknownFlag
        return ((a & ~unknownFlag) &+ (b & ~unknownFlag)) & ~unknownFlag | flag
    }

    /// The report's counts and buckets, emptying the tally as it goes (a run with a million users holds one copy
    /// at a time). Recipients are left out when the source does not know them (`withRecipients` false), or, for a
    /// user and day, when it did not know them for every message.
    mutating func take(users: UserTable, withRecipients: Bool) -> (counts: [Day: [String: UserVolume]], buckets: [String: [Int64: Int]]) {
        // The entries move to a flat array first (16 bytes each, the dictionary's table is freed), so the
        // tally's table and the report's are never held at once.
        let entries = Array(counts)
        counts = [:]
        var perDay: [Int32: Int] = [:]
        for (key, _) in entries { perDay[Int32(truncatingIfNeeded: key >> 32), default: 0] += 1 }
        // A user's name is made into a String once when it is needed more than once (several days, buckets).
        let shared = perDay.count > 1 || !buckets.isEmpty
        var names = [String?](repeating: nil, count: shared ? users.count : 0)
        func name(_ user: Int32) -> String {
            guard shared else { return users.text(of: user) }
            if let known = names[Int(user)] { return known }
            let text = users.text(of: user)
            names[Int(user)] = text
            return text
        }
        var result: [Day: [String: UserVolume]] = [:]
        for (day, n) in perDay {
            var inner: [String: UserVolume] = [:]
            inner.reserveCapacity(n)
            result[Day(dayNumber: Int(day))] = inner
        }
        for (key, value) in entries {
            // Keys are (day, user) pairs: each is seen once.
            let known = withRecipients && value & Self.unknownFlag == 0
            result[Day(dayNumber: Int(key >> 32))]![name(Int32(truncatingIfNeeded: key))] =
                UserVolume(messages: Int((value & ~Self.unknownFlag) >> 32), recipients: known ? Int(value & 0xFFFF_FFFF) : nil)
        }
        var bucketResult: [String: [Int64: Int]] = [:]
        for (key, messages) in buckets {
            let user = name(Int32(truncatingIfNeeded: key >> 32))
            bucketResult[user, default: [:]][(key & 0xFFFF_FFFF) * TimeBuckets.size] = messages
        }
        buckets = [:]
        return (result, bucketResult)
    }

    /// Whether nothing was counted.
    var isEmpty: Bool { counts.isEmpty }
}
