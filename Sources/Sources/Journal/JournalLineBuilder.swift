import Pipeline

/// Turns a journal entry into the syslog line the Postfix parser reads, so the journal and the log file share
/// one parser: `TIME journal IDENTIFIER[PID]: MESSAGE`, where TIME is the entry's wall-clock time (not any
/// time in its text) as RFC 3339 UTC with microseconds.
struct JournalLineBuilder {
    /// The line, rebuilt for each entry.
    private(set) var bytes: [UInt8] = []
    /// Messages longer than this are cut (sd-journal itself cuts fields at 64 KiB by default).
    static let maxMessage = 1 << 16

    init() { bytes.reserveCapacity(Self.maxMessage + 512) }

    /// Starts the line for an entry at `realtime` (µs since 1970): `TIME journal `.
    mutating func start(realtime: UInt64) {
        bytes.removeAll(keepingCapacity: true)
        let seconds = Int64(realtime / 1_000_000)
        let micros = Int(realtime % 1_000_000)
        let day = Day(dayNumber: Int(seconds / 86_400))
        let time = Int(seconds % 86_400)
        digits(day.year, 4); bytes.append(0x2D); digits(day.month, 2); bytes.append(0x2D); digits(day.day, 2)
        bytes.append(0x54)
        digits(time / 3600, 2); bytes.append(0x3A); digits(time / 60 % 60, 2); bytes.append(0x3A); digits(time % 60, 2)
        bytes.append(0x2E); digits(micros, 6); bytes.append(0x5A)
        bytes.append(contentsOf: " journal ".utf8)
    }

    /// Appends the syslog identifier (the tag).
    mutating func append(identifier: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: identifier)
    }

    /// Appends `[PID]`.
    mutating func append(pid: UnsafeBufferPointer<UInt8>) {
        guard !pid.isEmpty else { return }
        bytes.append(0x5B)
        bytes.append(contentsOf: pid)
        bytes.append(0x5D)
    }

    /// Appends `: MESSAGE`, which ends the line.
    mutating func append(message: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x3A)
        bytes.append(0x20)
        bytes.append(contentsOf: message.prefix(Self.maxMessage))
    }

    private mutating func digits(_ value: Int, _ count: Int) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var v = value
        while divisor > 0 {
            bytes.append(UInt8(0x30 + (v / divisor) % 10))
            v %= divisor
            divisor /= 10
        }
    }
}
