import Pipeline

/// Messages and recipients per (day, user) found on one run; bounded by days × users.
struct VolumeTally {
    private var counts: [Int64: (messages: Int, recipients: Int)] = [:]

    /// Adds to the volume of user `user` on the day numbered `day`.
    mutating func add(day: Int32, user: Int32, messages: Int, recipients: Int) {
        let key = Int64(day) << 32 | Int64(UInt32(bitPattern: user))
        counts[key, default: (0, 0)].messages += messages
        counts[key, default: (0, 0)].recipients += recipients
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
