import Foundation
import Pipeline

/// A log line handler that counts messages and carries state between runs in the checkpoint (``LogTracker``).
protocol MaillogTracker: LogLineHandler {
    /// The users seen, by id.
    var users: UserTable { get }
    /// What was counted on this run.
    var tally: VolumeTally { get }
    /// Whether the tally knows recipients.
    static var countsRecipients: Bool { get }
    /// Forgets state that is too old or too much.
    mutating func evict()
    /// Whether counted messages go into 5-minute buckets (only when a detector reads them).
    var recordsBuckets: Bool { get set }
    /// The counts and buckets of the run, once reading and ``encodeState(to:)`` are done (the tally is emptied).
    mutating func takeReport() -> (counts: [Day: [String: UserVolume]], buckets: [String: [Int64: Int]])
    /// The client IPs seen per day and user on this run, after ``takeReport()`` (emptied).
    mutating func takeClientIPs() -> [Day: [String: [String: Int]]]
    /// Things to tell the admin after the run.
    var notes: [String] { get }
    /// Saves state for the next run.
    func encodeState(to writer: inout CheckpointWriter)
    /// Restores the last run's state; returns a note when it could only be partly used.
    mutating func decodeState(from reader: inout CheckpointReader) throws -> String?
}

extension MaillogTracker {
    /// Reads what is new in `paths` since the checkpoint, counts it, and reports it with the new checkpoint.
    ///
    /// A checkpoint that cannot be decoded is not trusted: the run only records where every file ends,
    /// so nothing is counted twice (lines written since the last run are not counted, and a note says so).
    /// `unrecognisedHint` is said of a file in which no line read was recognised.
    mutating func collect(kind: String, paths: [String], request: CollectRequest, missingHint: String,
                          unrecognisedHint: String? = nil) throws -> VolumeReport {
        var notes: [String] = []
        var cursors: [FileCursor] = []
        var countThisRun = true
        if let saved = request.checkpoint {
            do {
                let checkpoint = try MaillogCheckpoint(decoding: saved, kind: kind)
                cursors = checkpoint.cursors
                var reader = CheckpointReader(checkpoint.state)
                if let note = try decodeState(from: &reader) { notes.append(note) }
            } catch {
                countThisRun = false
                notes.append("the saved reading positions could not be decoded; this run only records where every file ends (nothing is counted twice, lines written since the last run are not counted)")
            }
        }
        recordsBuckets = request.wantsBuckets
        var reader = MaillogReader(patterns: paths, cursors: cursors, now: Int64(request.now.timeIntervalSince1970))
        if let unrecognisedHint { reader.unrecognisedHint = unrecognisedHint }
        reader.read(into: &self)
        // Absence of evidence is not evidence of absence: a log that cannot be read, or that is gone where files were
        // read before (an unmounted or moved log folder), fails the source, and nothing of it is stored.
        if !reader.unreadable.isEmpty {
            throw SourceError(reader.unreadable.message(matched: reader.pathsMatched))
        }
        if reader.pathsMatched == 0 {
            guard let last = cursors.map(\.lastSeen).max() else {
                throw SourceError("no file matches \(paths.joined(separator: ", ")); check \"paths\" (\(missingHint))")
            }
            let seen = request.calendar.day(of: Date(timeIntervalSince1970: TimeInterval(last)))
            throw SourceError("no file matches \(paths.joined(separator: ", ")) any more, but \(cursors.count) file(s) matched and were read before (the last on \(seen)). Is the log folder mounted and readable by the account mvpipe runs as, or did the logs move (then update \"paths\")? Nothing was stored for this source on this run; once the files are back it reads on from where it stopped")
        }
        return finishReport(countThisRun: countThisRun, skipped: reader.skipped, notes: reader.notes + notes,
                            linesRead: reader.linesRead) {
            MaillogCheckpoint(kind: kind, cursors: reader.cursors, state: $0).encoded()
        }
    }

    /// Ages the state, saves it into the checkpoint `checkpoint` makes of it, and reports the run's counts (none when
    /// `countThisRun` is false: the saved positions could not be trusted).
    mutating func finishReport(countThisRun: Bool, skipped: Int, notes: [String], linesRead: Int,
                               checkpoint: ([UInt8]) -> [UInt8]) -> VolumeReport {
        evict()
        var state = CheckpointWriter()
        encodeState(to: &state)
        let saved = checkpoint(state.bytes)
        let found = countThisRun ? takeReport() : (counts: [:], buckets: [:])
        var report = VolumeReport(mode: .increment, counts: found.counts, checkpoint: saved, buckets: found.buckets,
                                  skipped: skipped, notes: notes + self.notes)
        report.linesRead = linesRead
        if countThisRun { report.clientIPs = takeClientIPs() }
        return report
    }
}
