import Pipeline

/// Counts one log format's lines: hands each line to the format with the shared ``LogLedger``, ages the ledger
/// every so many lines, and saves and restores it with the checkpoint (``MaillogTracker``).
struct LogTracker<Format: LogFormat>: MaillogTracker {
    /// How often (in lines) old entries are looked for.
    static var evictionInterval: Int { 1 << 18 }

    /// The format's parser and rules.
    var format: Format
    /// The shared state.
    var ledger: LogLedger<Format>
    private var linesUntilEviction = LogTracker.evictionInterval

    init(format: Format, resolver: DayResolver) {
        self.format = format
        ledger = LogLedger(format: format, resolver: resolver)
    }

    mutating func handle(_ line: UnsafeBufferPointer<UInt8>) -> LineOutcome {
        linesUntilEviction -= 1
        if linesUntilEviction == 0 {
            linesUntilEviction = Self.evictionInterval
            ledger.evict()
        }
        return format.handle(line, into: &ledger)
    }

    var users: UserTable { ledger.users }
    var tally: VolumeTally { ledger.tally }
    static var countsRecipients: Bool { Format.countsRecipients }

    mutating func evict() { ledger.evict() }

    var recordsBuckets: Bool {
        get { ledger.recordsBuckets }
        set { ledger.recordsBuckets = newValue }
    }

    mutating func takeReport() -> (counts: [Day: [String: UserVolume]], buckets: [String: [Int64: Int]]) {
        ledger.takeReport(withRecipients: Format.countsRecipients)
    }

    mutating func takeClientIPs() -> [Day: [String: [String: Int]]] {
        ledger.takeClientIPs()
    }

    var notes: [String] {
        let messages = ledger.messages.forgotten, sessions = ledger.sessions.forgotten
        guard messages > 0 || sessions > 0, let note = format.forgottenNote(messages: messages, sessions: sessions) else {
            return format.notes
        }
        return [note] + format.notes
    }

    func encodeState(to writer: inout CheckpointWriter) {
        ledger.encode(tag: format.stateTag, to: &writer)
    }

    mutating func decodeState(from reader: inout CheckpointReader) throws -> String? {
        try ledger.decode(tag: format.stateTag, format: format, from: &reader)
    }
}
