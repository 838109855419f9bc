/// One log format: its line parser and its counting rules, and nothing else.
///
/// Everything formats share is in ``LogTracker`` and ``LogLedger``: reading files or the journal, checkpoints,
/// the table of messages in flight and the table of sessions (with ageing and bounds), time stamps and the
/// newest time seen, local days, users, the tally, and the accounting of lines that could not be used. A format
/// reads one line, decides what it means, and records it in the ledger:
///
/// - ``LogLedger/stamp(_:)`` once the line's time is known (returns nil for a date that does not exist),
/// - ``LogLedger/messages`` and ``LogLedger/sessions`` for what must be remembered between lines (a message's
///   user until its recipients are known; a connection's login until its messages come),
/// - ``LogLedger/count(day:user:messages:recipients:)`` to count.
///
/// It returns what the line was (``LineOutcome``); the tracker counts the skipped ones.
protocol LogFormat: Sendable {
    /// What identifies a message across its lines (a queue ID, a message ID).
    associatedtype MessageKey: LedgerKey
    /// What is remembered about a message in flight.
    associatedtype Message: LedgerEntry
    /// What identifies a session (a connection) across its lines.
    associatedtype SessionKey: LedgerKey = [UInt8]
    /// What is remembered about a session.
    associatedtype Session: LedgerEntry = SessionLogin

    /// Whether the tally's recipients are known (else reports leave them out).
    static var countsRecipients: Bool { get }

    /// What the saved state depends on (the identity, for example): state saved under another tag is not restored.
    var stateTag: String { get }
    /// The table of messages in flight, empty, with its limits.
    func makeMessageTable() -> LedgerTable<MessageKey, Message>
    /// The table of sessions, empty, with its limits.
    func makeSessionTable() -> LedgerTable<SessionKey, Session>

    /// Reads one line (raw bytes without the newline, valid only during the call) and records what it means.
    mutating func handle(_ line: UnsafeBufferPointer<UInt8>, into ledger: inout LogLedger<Self>) -> LineOutcome

    /// Said when the saved state was made under another ``stateTag`` and is not followed.
    func stateTagChangedNote(saved: String) -> String
    /// Said after a run in which entries were forgotten for lack of room; nil says nothing.
    func forgottenNote(messages: Int, sessions: Int) -> String?
    /// What the format has to tell the admin after a run (lines it could read but not fully attribute, for
    /// example); empty says nothing.
    var notes: [String] { get }
    /// Reads state saved by an older layout of this format (version 1 and up; the current one is
    /// ``LogLedger/stateVersion``); throws ``CheckpointReader/Failure`` for a layout it does not know.
    static func decodeLegacyState(version: UInt64, from reader: inout CheckpointReader,
                                  into ledger: inout LogLedger<Self>, tag: String) throws -> String?
}

extension LogFormat where SessionKey == [UInt8], Session == SessionLogin {
    /// No sessions: formats whose lines name their user on the message's own lines.
    func makeSessionTable() -> LedgerTable<SessionKey, Session> {
        LedgerTable(maxAge: 0, capacity: 1)
    }
}

extension LogFormat {
    var stateTag: String { "" }

    func stateTagChangedNote(saved: String) -> String {
        "the settings changed: messages in flight at the last run are not followed"
    }

    func forgottenNote(messages: Int, sessions: Int) -> String? { nil }

    var notes: [String] { [] }

    static func decodeLegacyState(version: UInt64, from reader: inout CheckpointReader,
                                  into ledger: inout LogLedger<Self>, tag: String) throws -> String? {
        throw CheckpointReader.Failure()
    }
}
