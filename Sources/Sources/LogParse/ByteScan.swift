/// Internal byte-scanning helpers shared by the line parsers.
///
/// Everything here works on one log line as `UnsafeBufferPointer<UInt8>` and never allocates.
enum ByteScan {
    static let space: UInt8 = 0x20
    static let colon: UInt8 = 0x3A

    /// Whether `line[at...]` starts with the ASCII literal `literal`.
    @inline(__always)
    static func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ literal: StaticString, at: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard at >= 0, at + n <= line.count else { return false }
        let p = literal.utf8Start
        var i = 0
        while i < n {
            if line[at + i] != p[i] { return false }
            i += 1
        }
        return true
    }

    /// First index `>= from` (and `< end`) where `literal` occurs, or nil.
    @inline(__always)
    static func find(_ line: UnsafeBufferPointer<UInt8>, _ literal: StaticString, from: Int, end: Int? = nil) -> Int? {
        let n = literal.utf8CodeUnitCount
        let limit = (end ?? line.count) - n
        guard n > 0, from <= limit else { return nil }
        let first = literal.utf8Start[0]
        var i = from
        while i <= limit {
            if line[i] == first && hasPrefix(line, literal, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// First index `>= from` holding `byte`, or nil.
    @inline(__always)
    static func index(of byte: UInt8, in line: UnsafeBufferPointer<UInt8>, from: Int, end: Int? = nil) -> Int? {
        var i = from
        let e = end ?? line.count
        while i < e {
            if line[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// The first index `>= from` holding `a`, `b` or `c`, or `line.count`: eight bytes at a time (SWAR: a byte
    /// equal to the pattern is a zero byte of `word ^ pattern`; the lowest flagged byte is always a true match).
    @inline(__always)
    static func firstIndex(of a: UInt8, _ b: UInt8, _ c: UInt8, in line: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var i = from
        let n = line.count
        if let base = line.baseAddress, n >= 8 {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let pa = ones &* UInt64(a), pb = ones &* UInt64(b), pc = ones &* UInt64(c)
            while i + 8 <= n {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let xa = word ^ pa, xb = word ^ pb, xc = word ^ pc
                let hits = ((xa &- ones) & ~xa | (xb &- ones) & ~xb | (xc &- ones) & ~xc) & highs
                if hits != 0 { return i + hits.trailingZeroBitCount >> 3 }
                i += 8
            }
        }
        while i < n {
            let byte = line[i]
            if byte == a || byte == b || byte == c { return i }
            i += 1
        }
        return n
    }

    /// Parses exactly `count` ASCII digits at `at`; nil if any is not a digit or the line is too short.
    @inline(__always)
    static func fixedDigits(_ line: UnsafeBufferPointer<UInt8>, at: Int, count: Int) -> Int? {
        guard at >= 0, at + count <= line.count else { return nil }
        var v = 0
        var i = at
        while i < at + count {
            let d = line[i] &- 0x30
            if d > 9 { return nil }
            v = v * 10 + Int(d)
            i += 1
        }
        return v
    }

    /// Parses a run of 1...18 ASCII digits at `at`. Returns the value and the index after the run.
    @inline(__always)
    static func digits(_ line: UnsafeBufferPointer<UInt8>, at: Int) -> (value: Int, end: Int)? {
        var v = 0
        var i = at
        while i < line.count {
            let d = line[i] &- 0x30
            if d > 9 { break }
            if i - at >= 18 { return nil }
            v = v * 10 + Int(d)
            i += 1
        }
        return i == at ? nil : (v, i)
    }

    /// Month number (1...12) of the English three-letter abbreviation at `at`, or nil.
    @inline(__always)
    static func month(_ line: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        guard at + 3 <= line.count else { return nil }
        // Case-insensitive on the 2nd/3rd letter is not needed: syslog and ASSP write "Nov".
        let key = (UInt32(line[at]) << 16) | (UInt32(line[at + 1]) << 8) | UInt32(line[at + 2])
        switch key {
        case 0x4A_61_6E: return 1   // Jan
        case 0x46_65_62: return 2   // Feb
        case 0x4D_61_72: return 3   // Mar
        case 0x41_70_72: return 4   // Apr
        case 0x4D_61_79: return 5   // May
        case 0x4A_75_6E: return 6   // Jun
        case 0x4A_75_6C: return 7   // Jul
        case 0x41_75_67: return 8   // Aug
        case 0x53_65_70: return 9   // Sep
        case 0x4F_63_74: return 10  // Oct
        case 0x4E_6F_76: return 11  // Nov
        case 0x44_65_63: return 12  // Dec
        default: return nil
        }
    }

    /// Parses `HH:MM:SS` at `at` with range checks (second 60 allowed for leap seconds).
    @inline(__always)
    static func clock(_ line: UnsafeBufferPointer<UInt8>, at: Int) -> (hour: Int, minute: Int, second: Int)? {
        guard at + 8 <= line.count, line[at + 2] == colon, line[at + 5] == colon,
              let h = fixedDigits(line, at: at, count: 2), h < 24,
              let m = fixedDigits(line, at: at + 3, count: 2), m < 60,
              let s = fixedDigits(line, at: at + 6, count: 2), s <= 60
        else { return nil }
        return (h, m, s)
    }

    @inline(__always)
    static func isAlnum(_ b: UInt8) -> Bool {
        (b &- 0x30) < 10 || (b &- 0x41) < 26 || (b &- 0x61) < 26
    }
}
