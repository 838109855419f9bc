/// Checks and normalises a user name, address or IP taken from a log line before it becomes a user in state.
enum IdentityBytes {
    /// Longer names are not real logins or addresses.
    static let maxLength = 512

    /// The bytes, ASCII-lower-cased when asked, or nil when they are empty, too long, not valid UTF-8, or hold
    /// control characters (C0, DEL, C1): such a line is skipped and counted, never stored.
    static func normalize(_ bytes: UnsafeBufferPointer<UInt8>, lowercase: Bool) -> [UInt8]? {
        guard !bytes.isEmpty, bytes.count <= maxLength else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F { return nil }
                out.append(lowercase && (0x41...0x5A).contains(b) ? b + 32 : b)
                i += 1
                continue
            }
            let n = LogBytes.validSequenceLength(bytes, at: i)
            if n == 0 { return nil }
            if n == 2 && b == 0xC2 && bytes[i + 1] < 0xA0 { return nil }  // C1 control
            out.append(contentsOf: bytes[i..<(i + n)])
            i += n
        }
        return out
    }

    /// ``normalize(_:lowercase:)`` of an array.
    static func normalize(_ bytes: [UInt8], lowercase: Bool) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { normalize($0, lowercase: lowercase) }
    }
}
