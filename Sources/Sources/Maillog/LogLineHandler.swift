/// Something that reads log lines one at a time, as raw bytes without their newline.
protocol LogLineHandler {
    /// Handles one line; the buffer is only valid during the call.
    mutating func handle(_ line: UnsafeBufferPointer<UInt8>) -> LineOutcome
}
