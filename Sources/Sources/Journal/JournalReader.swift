import Foundation
import Pipeline

/// Reads the entries of Postfix's systemd units that are new since the last run, as syslog lines, into a
/// line handler (see ``JournalLineBuilder``), and remembers where it stopped by the journal's own cursor.
///
/// Entries are selected by journal fields, never by their text: the trusted field `_SYSTEMD_UNIT` of a unit
/// named `postfix.service` or `postfix@INSTANCE.service` (Debian's `postfix@-.service`), found with
/// `sd_journal_query_unique`. A local user's `logger -t postfix/smtpd` lands in their session's scope and is
/// not read. The entry's wall-clock time (`__REALTIME_TIMESTAMP`) dates it.
///
/// Where to go on: the saved cursor's entry when it is still there (read after it); when it is gone (the
/// journal was vacuumed or rotated past it, or the files were replaced), the first entry after the saved time,
/// and a note says so.
struct JournalReader {
    /// The folder of journal files, or nil for the local system journal.
    let directory: String?
    /// The run's notes.
    private(set) var notes: [String] = []
    /// Entries skipped (unparsable or unusable).
    private(set) var skipped = 0
    /// Entries read.
    private(set) var linesRead = 0
    /// The cursor and time of the last entry read (the saved ones until a new entry is read).
    private(set) var cursor = ""
    private(set) var realtime: UInt64 = 0
    /// The Postfix units found.
    private(set) var units: [String] = []

    init(directory: String?) {
        self.directory = directory
    }

    /// Whether `unit` is one of Postfix's own: `postfix.service` or `postfix@INSTANCE.service`.
    static func isPostfixUnit(_ unit: [UInt8]) -> Bool {
        let text = String(decoding: unit, as: UTF8.self)
        return text == "postfix.service" || (text.hasPrefix("postfix@") && text.hasSuffix(".service"))
    }

    /// Opens the journal and selects Postfix's units; nil when there is none in it.
    mutating func open() throws -> SystemJournal? {
        let journal = try SystemJournal(directory: directory)
        units = try journal.uniqueValues(of: "_SYSTEMD_UNIT").filter(Self.isPostfixUnit)
            .map { String(decoding: $0, as: UTF8.self) }.sorted()
        guard !units.isEmpty else { return nil }
        for unit in units { try journal.addMatch(field: "_SYSTEMD_UNIT", value: Array(unit.utf8)) }
        return journal
    }

    /// Reads every selected entry after (`cursor`, `realtime`) — everything when `cursor` is empty — into `handler`.
    mutating func read<H: LogLineHandler>(_ journal: SystemJournal, after savedCursor: String, at savedRealtime: UInt64,
                                          into handler: inout H) throws {
        cursor = savedCursor
        realtime = savedRealtime
        var notAfter: UInt64?  // when the cursor is gone: entries up to the saved time were read
        var pending = false
        if savedCursor.isEmpty {
            try journal.seekHead()
        } else {
            try journal.seek(cursor: savedCursor)
            if try journal.next() {
                if !journal.isAt(cursor: savedCursor) {
                    notAfter = savedRealtime
                    pending = true
                }
            }
            if notAfter != nil {
                notes.append("the journal no longer holds the entry read last (at \(Self.display(savedRealtime))): it was vacuumed or rotated away; reading from the oldest entry after that time")
            }
        }
        var builder = JournalLineBuilder()
        var unparsable = 0, unusable = 0
        var readAny = false
        while try pending || journal.next() {
            pending = false
            let time = try journal.realtime()
            if let limit = notAfter, time <= limit { continue }
            readAny = true
            realtime = time
            // Each value is valid only until the next one is asked for: the line is built in order.
            builder.start(realtime: time)
            let tagged = journal.withValue(of: "SYSLOG_IDENTIFIER") { identifier -> Bool in
                guard let identifier else { return false }
                builder.append(identifier: identifier)
                return true
            }
            guard tagged else { continue }
            journal.withValue(of: "SYSLOG_PID") { pid in if let pid { builder.append(pid: pid) } }
            let complete = journal.withValue(of: "MESSAGE") { message -> Bool in
                guard let message else { return false }
                builder.append(message: message)
                return true
            }
            guard complete else { continue }
            linesRead += 1
            switch builder.bytes.withUnsafeBufferPointer({ handler.handle($0) }) {
            case .used, .ignored: break
            case .unparsable: unparsable += 1
            case .unusable: unusable += 1
            }
        }
        // At the end sd-journal stays on the last entry it returned: its cursor is where the next run goes on
        // (asked once, not per entry).
        if readAny { cursor = try journal.cursor() }
        if unparsable + unusable > 0 {
            skipped += unparsable + unusable
            var parts: [String] = []
            if unparsable > 0 { parts.append("\(unparsable) unparsable") }
            if unusable > 0 { parts.append("\(unusable) with an unusable name, address or date") }
            notes.append("journal: skipped \(unparsable + unusable) of \(linesRead) Postfix entries read (\(parts.joined(separator: ", ")))")
        }
    }

    /// Moves to the newest selected entry and takes its cursor as where reading stopped (nothing is read).
    mutating func skipToEnd(_ journal: SystemJournal) throws {
        try journal.seekTail()
        if try journal.previous() {
            cursor = try journal.cursor()
            realtime = try journal.realtime()
        }
    }

    /// `2026-11-29T14:46:22Z` for notes.
    static func display(_ realtime: UInt64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(realtime / 1_000_000))
        return ISO8601DateFormatter().string(from: date)
    }
}
