import Pipeline

/// The leading timestamp (and host field) of one log line.
///
/// Three syslog-style layouts are recognised by ``parse(_:)``:
///
/// | style | example | year | UTC offset |
/// | --- | --- | --- | --- |
/// | ``Style/traditional`` | `Nov  5 14:46:22 host ...` (RFC 3164, day padded with a space) | no | no |
/// | ``Style/zeroPadded`` | `Nov 05 14:46:22 host ...` (Postfix `maillog_file`) | no | no |
/// | ``Style/rfc3339`` | `2026-11-29T14:46:22.123456+01:00 host ...` (also `Z`, without fraction) | yes | yes |
///
/// A day of 10 or more looks the same in both year-less layouts and is reported as ``Style/traditional``.
/// ASSP's own `MMM-DD-YY hh:mm:ss` stamp has no host field; ``ASSPLine`` parses it with ``parseASSP(_:)``.
struct LogTimestamp: Sendable, Hashable {
    /// Which layout the stamp was written in.
    enum Style: Sendable, Hashable {
        /// `Nov  5 14:46:22` (space-padded day; also two-digit days).
        case traditional
        /// `Nov 05 14:46:22` (zero-padded day, as Postfix's own log writer does).
        case zeroPadded
        /// `2026-11-29T14:46:22.123456+01:00`.
        case rfc3339
        /// ASSP `Nov-29-26 14:46:22` (two-digit year, read as 20YY).
        case assp
    }

    /// The year, when the stamp carries one (RFC 3339, ASSP); nil for the year-less syslog layouts.
    var year: Int?
    /// 1...12.
    var month: Int
    /// 1...31.
    var day: Int
    /// 0...23.
    var hour: Int
    /// 0...59.
    var minute: Int
    /// 0...60.
    var second: Int
    /// Seconds east of UTC, when the stamp says (RFC 3339 only).
    var utcOffsetSeconds: Int?
    /// The layout that was recognised.
    var style: Style
    /// Byte range of the host field in the line (empty for ASSP lines, which have none).
    var hostRange: Range<Int>
    /// Byte offset where the rest of the line (after the host field and its space) starts.
    var restOffset: Int

    /// Memberwise initialiser.
    init(year: Int?, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                utcOffsetSeconds: Int?, style: Style, hostRange: Range<Int>, restOffset: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.utcOffsetSeconds = utcOffsetSeconds
        self.style = style
        self.hostRange = hostRange
        self.restOffset = restOffset
    }

    /// Parses the timestamp and the host field at the start of `line` (one line, without its newline).
    ///
    /// Returns nil when the line does not start with a valid stamp followed by a space and a non-empty host.
    /// A line that ends right after the host is accepted; then `restOffset == line.count`.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> LogTimestamp? {
        guard line.count >= 16 else { return nil }
        let first = line[0]
        var ts: LogTimestamp
        var i: Int
        if (first &- 0x30) < 10 {
            guard let (t, end) = parseRFC3339(line) else { return nil }
            ts = t
            i = end
        } else {
            guard let month = ByteScan.month(line, at: 0), line[3] == ByteScan.space else { return nil }
            // Day: " 5", "05", "15"; also tolerate a single unpadded digit "5".
            var d = 4
            var style = Style.traditional
            let day: Int
            if line[d] == ByteScan.space {
                d += 1
                guard let v = ByteScan.fixedDigits(line, at: d, count: 1) else { return nil }
                day = v
                d += 1
            } else if let v = ByteScan.fixedDigits(line, at: d, count: 2) {
                if line[d] == 0x30 { style = .zeroPadded }
                day = v
                d += 2
            } else if let v = ByteScan.fixedDigits(line, at: d, count: 1) {
                day = v
                d += 1
            } else {
                return nil
            }
            guard day >= 1, day <= 31, d < line.count, line[d] == ByteScan.space,
                  let (h, m, s) = ByteScan.clock(line, at: d + 1)
            else { return nil }
            ts = LogTimestamp(year: nil, month: month, day: day, hour: h, minute: m, second: s,
                              utcOffsetSeconds: nil, style: style, hostRange: 0..<0, restOffset: 0)
            i = d + 9
        }
        // " host " — exactly one space, then a non-empty host without spaces.
        guard i < line.count, line[i] == ByteScan.space else { return nil }
        let hostStart = i + 1
        var j = hostStart
        while j < line.count && line[j] != ByteScan.space { j += 1 }
        guard j > hostStart else { return nil }
        ts.hostRange = hostStart..<j
        ts.restOffset = j < line.count ? j + 1 : j
        return ts
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` at the start of `line`; returns the index after it.
    static func parseRFC3339(_ line: UnsafeBufferPointer<UInt8>) -> (LogTimestamp, Int)? {
        guard line.count >= 20,
              let year = ByteScan.fixedDigits(line, at: 0, count: 4), line[4] == 0x2D,
              let month = ByteScan.fixedDigits(line, at: 5, count: 2), month >= 1, month <= 12, line[7] == 0x2D,
              let day = ByteScan.fixedDigits(line, at: 8, count: 2), day >= 1, day <= 31,
              line[10] == 0x54 || line[10] == 0x74,
              let (h, m, s) = ByteScan.clock(line, at: 11)
        else { return nil }
        var i = 19
        if line[i] == 0x2E {  // fraction
            i += 1
            let start = i
            while i < line.count && (line[i] &- 0x30) < 10 { i += 1 }
            guard i > start, i - start <= 9 else { return nil }
        }
        guard i < line.count else { return nil }
        let offset: Int
        switch line[i] {
        case 0x5A, 0x7A:  // Z z
            offset = 0
            i += 1
        case 0x2B, 0x2D:  // + -
            guard let oh = ByteScan.fixedDigits(line, at: i + 1, count: 2), oh <= 23,
                  i + 3 < line.count, line[i + 3] == ByteScan.colon,
                  let om = ByteScan.fixedDigits(line, at: i + 4, count: 2), om <= 59
            else { return nil }
            offset = (line[i] == 0x2D ? -1 : 1) * (oh * 3600 + om * 60)
            i += 6
        default:
            return nil
        }
        let ts = LogTimestamp(year: year, month: month, day: day, hour: h, minute: m, second: s,
                              utcOffsetSeconds: offset, style: .rfc3339, hostRange: 0..<0, restOffset: i)
        return (ts, i)
    }

    /// Parses ASSP's default `MMM-DD-YY hh:mm:ss` stamp (`Nov-29-26 14:46:22`) at the start of `line`.
    ///
    /// The two-digit year is read as 20YY. There is no host field: `hostRange` is empty and `restOffset`
    /// points after the space that follows the time (or at the end of the line).
    static func parseASSP(_ line: UnsafeBufferPointer<UInt8>) -> LogTimestamp? {
        guard line.count >= 18,
              let month = ByteScan.month(line, at: 0), line[3] == 0x2D,
              let day = ByteScan.fixedDigits(line, at: 4, count: 2), day >= 1, day <= 31, line[6] == 0x2D,
              let yy = ByteScan.fixedDigits(line, at: 7, count: 2), line[9] == ByteScan.space,
              let (h, m, s) = ByteScan.clock(line, at: 10)
        else { return nil }
        var rest = 18
        if rest < line.count {
            guard line[rest] == ByteScan.space else { return nil }
            rest += 1
        }
        return LogTimestamp(year: 2000 + yy, month: month, day: day, hour: h, minute: m, second: s,
                            utcOffsetSeconds: nil, style: .assp, hostRange: 0..<0, restOffset: rest)
    }

    /// The run's local date and time, against which year-less stamps get their year.
    struct YearReference: Sendable, Equatable {
        /// The run's local year.
        let year: Int
        /// The run's local date and time as seconds since 1970 read as if UTC ("wall-clock seconds").
        let wallSeconds: Int64

        /// The reference for a run whose local wall-clock time is `wallSeconds`.
        init(wallSeconds: Int64) {
            self.wallSeconds = wallSeconds
            year = Day(dayNumber: Int((wallSeconds - ((wallSeconds % 86_400) + 86_400) % 86_400) / 86_400)).year
        }
    }

    /// How far after the run a year-less stamp may be and still be this year's: clock skew between hosts, and a log
    /// written in another time zone than the config's (UTC offsets differ by up to 26 hours; a day covers the
    /// usual cases). Anything later is last year's.
    static let futureToleranceSeconds: Int64 = 86_400

    /// The year a year-less stamp (`month`, `day`, time of day in seconds) belongs to, read at `reference`.
    ///
    /// Rule: the stamp is this year's unless that would put it more than ``futureToleranceSeconds`` after the run;
    /// then it is last year's. A log line is never dated after the run (beyond the tolerance): `Feb 10` read on
    /// 2027-01-15 is 2026-02-10, and `Dec 31` read on 2027-01-01 is 2026-12-31.
    static func inferYear(month: Int, day: Int, secondOfDay: Int, reference: YearReference) -> Int {
        // 29 February of a common year is compared as 1 March; the date itself is refused later.
        let first = Day(year: reference.year, month: month, day: 1)?.dayNumber ?? 0
        let wall = Int64(first + day - 1) * 86_400 + Int64(secondOfDay)
        return wall - reference.wallSeconds > futureToleranceSeconds ? reference.year - 1 : reference.year
    }

    /// ``year`` when the stamp has one, else ``inferYear(month:day:secondOfDay:reference:)``.
    func resolvedYear(_ reference: YearReference) -> Int {
        year ?? LogTimestamp.inferYear(month: month, day: day, secondOfDay: hour * 3600 + minute * 60 + second, reference: reference)
    }
}
