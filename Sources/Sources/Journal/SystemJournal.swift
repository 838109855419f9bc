import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of journal files through libsystemd's sd-journal: the local system journal, or the files in
/// one folder. Not thread-safe (sd-journal objects are bound to the thread that opened them); closed on deinit.
final class SystemJournal {
    /// Why sd-journal refused.
    struct Failure: Error, CustomStringConvertible {
        /// What was being done.
        let operation: String
        /// The negative errno sd-journal returned.
        let code: Int32

        var description: String { "\(operation): \(String(cString: strerror(-code)))" }
    }

    private let handle: OpaquePointer

    /// Opens the local system journal (`directory` nil) or the journal files in `directory`.
    init(directory: String?) throws(Failure) {
        var j: OpaquePointer?
        let r: Int32
        if let directory {
            r = mvp_journal_open_directory(&j, directory)
        } else {
            r = mvp_journal_open_local(&j)
        }
        guard r >= 0, let j else { throw Failure(operation: "sd_journal_open", code: r < 0 ? r : -EINVAL) }
        handle = j
    }

    deinit { sd_journal_close(handle) }

    /// The distinct values of `field` in the whole journal.
    func uniqueValues(of field: String) throws(Failure) -> [[UInt8]] {
        let r = mvp_journal_query_unique(handle, field)
        guard r >= 0 else { throw Failure(operation: "sd_journal_query_unique(\(field))", code: r) }
        var values: [[UInt8]] = []
        var data: UnsafePointer<UInt8>?
        var length = 0
        while true {
            let n = mvp_journal_enumerate_unique(handle, field, &data, &length)
            if n == 0 { break }
            guard n > 0 else { throw Failure(operation: "sd_journal_enumerate_unique(\(field))", code: n) }
            values.append(Array(UnsafeBufferPointer(start: data, count: length)))
        }
        return values
    }

    /// Adds the match `FIELD=value` (matches on one field are alternatives).
    func addMatch(field: String, value: [UInt8]) throws(Failure) {
        let match = Array(field.utf8) + [0x3D] + value
        let r = match.withUnsafeBufferPointer { mvp_journal_add_match(handle, $0.baseAddress, $0.count) }
        guard r >= 0 else { throw Failure(operation: "sd_journal_add_match", code: r) }
    }

    /// Moves before the oldest entry.
    func seekHead() throws(Failure) {
        let r = sd_journal_seek_head(handle)
        guard r >= 0 else { throw Failure(operation: "sd_journal_seek_head", code: r) }
    }

    /// Moves to the entry of `cursor`, or the nearest one when that entry is gone (see ``isAt(cursor:)``).
    func seek(cursor: String) throws(Failure) {
        let r = sd_journal_seek_cursor(handle, cursor)
        guard r >= 0 else { throw Failure(operation: "sd_journal_seek_cursor", code: r) }
    }

    /// Moves before the first entry at or after `microseconds` (wall-clock time since 1970).
    func seek(realtime microseconds: UInt64) throws(Failure) {
        let r = sd_journal_seek_realtime_usec(handle, microseconds)
        guard r >= 0 else { throw Failure(operation: "sd_journal_seek_realtime_usec", code: r) }
    }

    /// Moves after the newest entry.
    func seekTail() throws(Failure) {
        let r = sd_journal_seek_tail(handle)
        guard r >= 0 else { throw Failure(operation: "sd_journal_seek_tail", code: r) }
    }

    /// Moves to the previous matching entry; false at the start.
    func previous() throws(Failure) -> Bool {
        let r = sd_journal_previous(handle)
        guard r >= 0 else { throw Failure(operation: "sd_journal_previous", code: r) }
        return r > 0
    }

    /// Moves to the next matching entry; false at the end.
    func next() throws(Failure) -> Bool {
        let r = sd_journal_next(handle)
        guard r >= 0 else { throw Failure(operation: "sd_journal_next", code: r) }
        return r > 0
    }

    /// Whether the current entry is the one `cursor` names.
    func isAt(cursor: String) -> Bool {
        sd_journal_test_cursor(handle, cursor) > 0
    }

    /// The current entry's cursor.
    func cursor() throws(Failure) -> String {
        var raw: UnsafeMutablePointer<CChar>?
        let r = sd_journal_get_cursor(handle, &raw)
        guard r >= 0, let raw else { throw Failure(operation: "sd_journal_get_cursor", code: r < 0 ? r : -EINVAL) }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// The current entry's wall-clock time (microseconds since 1970).
    func realtime() throws(Failure) -> UInt64 {
        var usec: UInt64 = 0
        let r = mvp_journal_realtime(handle, &usec)
        guard r >= 0 else { throw Failure(operation: "sd_journal_get_realtime_usec", code: r) }
        return usec
    }

    /// Calls `body` with the value of `field` in the current entry (nil when the entry has none); the bytes are
    /// valid only during the call.
    func withValue<R>(of field: String, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        var data: UnsafePointer<UInt8>?
        var length = 0
        let r = mvp_journal_get_value(handle, field, &data, &length)
        guard r >= 0, let data else { return try body(nil) }
        return try body(UnsafeBufferPointer(start: data, count: length))
    }
}
