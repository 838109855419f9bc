/// Raw bytes of one extracted log field (a user name, an address), kept exactly as they were in the log.
///
/// Log files are not guaranteed to be UTF-8, and names such as `<!channel>` or ones holding control bytes do
/// occur, so the bytes are the identity: compare and hash ``bytes``, and use ``escaped`` only for display.
struct LogBytes: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The field's bytes, unchanged.
    let bytes: [UInt8]

    /// Wraps `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The UTF-8 bytes of `string`.
    init(_ string: String) {
        self.bytes = Array(string.utf8)
    }

    /// Copies `range` of `line`.
    init(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.bytes = Array(UnsafeBufferPointer(rebasing: line[range]))
    }

    /// Orders by raw bytes.
    static func < (lhs: LogBytes, rhs: LogBytes) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// A printable, unambiguous view: valid UTF-8 is kept, except that every byte of an invalid UTF-8 sequence,
    /// of a C0/C1 control character or DEL, and the backslash itself are written as `\xNN` (upper-case hex).
    /// Two different byte strings never give the same text.
    var escaped: String {
        LogBytes.escape(bytes[...])
    }

    /// Same as ``escaped``.
    var description: String { escaped }

    /// Escapes `bytes` as described in ``escaped``.
    static func escape<C: Collection>(_ bytes: C) -> String where C.Element == UInt8, C.Index == Int {
        var out = String()
        out.reserveCapacity(bytes.count)
        var plain = [UInt8]()
        plain.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        let end = bytes.endIndex
        func hex(_ b: UInt8) {
            let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
            plain.append(0x5C); plain.append(0x78)
            plain.append(digits[Int(b >> 4)]); plain.append(digits[Int(b & 0xF)])
        }
        while i < end {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F || b == 0x5C { hex(b) } else { plain.append(b) }
                i += 1
                continue
            }
            let n = LogBytes.validSequenceLength(bytes, at: i)
            if n == 0 {
                hex(b)
                i += 1
            } else if n == 2 && b == 0xC2 && bytes[i + 1] < 0xA0 {
                // C1 control U+0080...U+009F
                hex(b); hex(bytes[i + 1])
                i += 2
            } else {
                plain.append(contentsOf: bytes[i..<(i + n)])
                i += n
            }
        }
        out = String(decoding: plain, as: UTF8.self)
        return out
    }

    /// Length of the well-formed UTF-8 sequence (Unicode table 3-7) starting at `i`, or 0 if it is not one.
    static func validSequenceLength<C: Collection>(_ s: C, at i: Int) -> Int where C.Element == UInt8, C.Index == Int {
        let end = s.endIndex
        let b0 = s[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < end && s[i + k] >= lo && s[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
