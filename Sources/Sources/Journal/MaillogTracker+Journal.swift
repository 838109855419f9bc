import Foundation
import Pipeline

extension MaillogTracker {
    /// Reads what is new in the journal since the checkpoint, counts it, and reports it with the new checkpoint.
    ///
    /// As for log files: a checkpoint that cannot be decoded is not trusted (the run only records where the journal
    /// ends); a journal that cannot be read, or that no longer shows Postfix where it did, fails the source and
    /// nothing is stored.
    mutating func collectJournal(kind: String, directory: String?, request: CollectRequest) throws -> VolumeReport {
        var notes: [String] = []
        var saved: JournalCheckpoint?
        var countThisRun = true
        if let bytes = request.checkpoint {
            do {
                let checkpoint = try JournalCheckpoint(decoding: bytes, kind: kind)
                var reader = CheckpointReader(checkpoint.state)
                if let note = try decodeState(from: &reader) { notes.append(note) }
                saved = checkpoint
            } catch {
                countThisRun = false
                notes.append("the saved journal position could not be decoded; this run only records where the journal ends (nothing is counted twice, entries written since the last run are not counted)")
            }
        }
        try JournalAccess.check(directory: directory)
        recordsBuckets = request.wantsBuckets
        var reader = JournalReader(directory: directory)
        let where_ = directory.map { "the journal files in \($0)" } ?? "the system journal"
        do {
            guard let journal = try reader.open() else {
                if let saved, !saved.cursor.isEmpty {
                    throw SourceError("\(where_) no longer holds entries of a Postfix unit (postfix.service, postfix@*.service), but Postfix's entries were read from it before (the last at \(JournalReader.display(saved.realtime))). Was the journal replaced, or does Postfix log elsewhere now? Nothing was stored for this source on this run")
                }
                throw SourceError("\(where_) holds no entries of a Postfix unit (postfix.service, postfix@*.service): does Postfix log to the journal here? (With rsyslog writing /var/log/mail.log, use postfix-log.)")
            }
            if countThisRun {
                try reader.read(journal, after: saved?.cursor ?? "", at: saved?.realtime ?? 0, into: &self)
            } else {
                try reader.skipToEnd(journal)
            }
        } catch let error as SystemJournal.Failure {
            throw SourceError("cannot read \(where_): \(error)")
        }
        return finishReport(countThisRun: countThisRun, skipped: reader.skipped, notes: reader.notes + notes,
                            linesRead: reader.linesRead) {
            JournalCheckpoint(kind: kind, cursor: reader.cursor, realtime: reader.realtime, state: $0).encoded()
        }
    }
}
