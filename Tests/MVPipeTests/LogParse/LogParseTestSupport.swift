@testable import Sources

/// Parses `line` with PostfixLine and returns the result with the bytes its ranges index.
func lpPostfix(_ line: String) -> (PostfixLine, [UInt8]) {
    let bytes = Array(line.utf8)
    return (PostfixLine.parse(bytes), bytes)
}

/// Parses `line` with ASSPLine and returns the result with the bytes its ranges index.
func lpASSP(_ line: String) -> (ASSPLine, [UInt8]) {
    let bytes = Array(line.utf8)
    return (ASSPLine.parse(bytes), bytes)
}

/// The text of `bytes[range]` (nil range gives nil).
func lpText(_ bytes: [UInt8], _ range: Range<Int>?) -> String? {
    guard let range else { return nil }
    return String(decoding: bytes[range], as: UTF8.self)
}

/// The parsed timestamp of `line`.
func lpStamp(_ line: String) -> LogTimestamp? {
    Array(line.utf8).withUnsafeBufferPointer { LogTimestamp.parse($0) }
}

/// The bytes of `bytes[range]` as LogBytes (nil range gives nil).
func lpBytes(_ bytes: [UInt8], _ range: Range<Int>?) -> LogBytes? {
    guard let range else { return nil }
    return LogBytes(Array(bytes[range]))
}
