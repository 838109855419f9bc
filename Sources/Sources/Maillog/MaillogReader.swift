/// Reads what is new in a set of rotating log files since the last run, and remembers where it stopped.
///
/// Files are found by glob patterns and recognised by content, not name: a ``FileCursor`` matches a file whose
/// first bytes have the same ``Fingerprint`` (preferring the same device and inode). So:
/// - rename rotation (`mail.log` → `mail.log.1`): same inode and head, reading resumes at the saved offset;
/// - compression (`mail.log.1` → `mail.log.2.gz`): same decompressed head, the saved offset is skipped in the
///   decompressed stream and only what follows is read; a compressed file read to its end is not opened again
///   while its inode and size stay the same;
/// - copytruncate: the copy has the old head (resume there), the truncated original a new one (read from 0);
/// - a file not seen before (first run: every matched file; later: the fresh `mail.log`) is read from its start.
///
/// Files are read oldest first (by modification time), so a queue ID's lines are seen in order across rotation.
/// A file that cannot be opened (permissions) stops the whole reading: the source fails and nothing is stored. A file
/// whose content cannot be read (a damaged `.gz`) is noted and skipped; its cursor is kept, so nothing is read twice
/// when it comes back. Cursors of files not seen for 30 days are forgotten.
struct MaillogReader {
    /// Cursors not matched for this long are forgotten.
    static let forgetAfterSeconds: Int64 = 30 * 86_400
    /// At most this many cursors are kept.
    static let maxCursors = 1_000

    /// The resolved glob patterns.
    let patterns: [String]
    /// Said of a file of whose lines read on this run none (or fewer than 1 in 20) was a line of the expected
    /// format: what to check.
    var unrecognisedHint = "check that it is the log this source reads"

    /// The run's time (Unix seconds), stored in cursors.
    let now: Int64
    /// The cursors: loaded from the checkpoint, updated by ``read(into:)``.
    private(set) var cursors: [FileCursor]
    /// What to tell the admin.
    private(set) var notes: [String] = []
    /// Lines (and files) skipped.
    private(set) var skipped = 0
    /// Paths the patterns matched (opened or not).
    private(set) var pathsMatched = 0
    /// Matched files that could not be opened, and folders of patterns that could not be listed; when there are any,
    /// nothing was read (the source fails: see ``UnreadableInput``).
    private(set) var unreadable = UnreadableInput()
    /// Files matched by the patterns, opened and not empty.
    private(set) var filesOpened = 0
    /// Lines read on this run.
    private(set) var linesRead = 0
    /// Content bytes read on this run.
    private(set) var bytesRead: UInt64 = 0

    private let scanner: LineScanner

    init(patterns: [String], cursors: [FileCursor], now: Int64, maxLineLength: Int = 1 << 16) {
        self.patterns = patterns
        self.cursors = cursors
        self.now = now
        scanner = LineScanner(maxLineLength: maxLineLength)
    }

    /// Reads every matched file's new lines into `handler`; reads nothing when a matched file cannot be opened or a
    /// pattern's folder cannot be listed (see ``unreadable``).
    mutating func read<H: LogLineHandler>(into handler: inout H) {
        var candidates: [LogFileCandidate] = []
        let expansion = GlobExpander.expand(patterns)
        let paths = expansion.paths
        pathsMatched = paths.count
        for (folder, code) in expansion.unlistable {
            unreadable.add(folder, isFolder: true, code: code)
        }
        for path in paths {
            do {
                let candidate = try LogFileCandidate(path: path)
                if !candidate.head.isEmpty { candidates.append(candidate) }
            } catch .denied(let code) {
                unreadable.add(path, isFolder: false, code: code)
            } catch .unreadable(let reason) {
                skipped += 1
                notes.append("cannot read \(LogFileCandidate.display(path)): \(reason); skipped on this run")
            } catch {
                continue  // vanished, or not a regular file
            }
        }
        filesOpened = candidates.count
        guard unreadable.isEmpty else { return }
        candidates = Self.withoutDuplicates(candidates)
        candidates.sort {
            if $0.modified != $1.modified { return $0.modified < $1.modified }
            return $0.path.lexicographicallyPrecedes($1.path) == false
        }
        var claimed = Set<Int>()
        for candidate in candidates {
            let match = bestCursor(for: candidate, excluding: claimed)
            if let match { claimed.insert(match) }
            if let index = read(candidate, cursorIndex: match, handler: &handler), index >= 0 { claimed.insert(index) }
        }
        prune(keeping: claimed)
    }

    /// Files with the very same head are one file seen twice (`mail.log.1` while `gzip` writes `mail.log.1.gz`,
    /// two patterns naming one file through a link): keep the plain one, else the largest.
    static func withoutDuplicates(_ candidates: [LogFileCandidate]) -> [LogFileCandidate] {
        var best: [[UInt8]: LogFileCandidate] = [:]
        var order: [[UInt8]] = []
        for c in candidates {
            guard let current = best[c.head] else {
                best[c.head] = c
                order.append(c.head)
                continue
            }
            let better = (current.compressed && !c.compressed) || (current.compressed == c.compressed && c.size > current.size)
            if better { best[c.head] = c }
        }
        return order.map { best[$0]! }
    }

    /// The cursor that describes `candidate`: same head prefix; same inode first, then the longest prefix.
    private func bestCursor(for candidate: LogFileCandidate, excluding claimed: Set<Int>) -> Int? {
        var best: Int?
        var bestScore = (0, 0, Int64.min)
        for (i, cursor) in cursors.enumerated() where !claimed.contains(i) {
            guard cursor.fingerprintLength <= candidate.head.count,
                  Fingerprint.hash(candidate.head.prefix(cursor.fingerprintLength)) == cursor.fingerprint
            else { continue }
            let score = (cursor.device == candidate.device && cursor.inode == candidate.inode ? 1 : 0,
                         cursor.fingerprintLength, cursor.lastSeen)
            if best == nil || score > bestScore {
                best = i
                bestScore = score
            }
        }
        return best
    }

    /// Reads one file from its cursor's offset (or its start); returns the index of its updated cursor.
    private mutating func read<H: LogLineHandler>(_ file: LogFileCandidate, cursorIndex: Int?,
                                                  handler: inout H) -> Int? {
        let name = file.displayPath
        var cursor = cursorIndex.map { cursors[$0] } ?? FileCursor(
            path: file.path, device: file.device, inode: file.inode, fingerprint: 0, fingerprintLength: 0,
            offset: 0, size: 0, compressed: file.compressed, complete: false, lastSeen: now)
        if let index = cursorIndex {
            if file.compressed && cursor.complete && cursor.compressed && cursor.device == file.device
                && cursor.inode == file.inode && cursor.size == file.size {
                finish(&cursor, file, at: index)
                return index
            }
            if !file.compressed && file.size < cursor.offset {
                skipped += 1
                notes.append("\(name) shrank to \(file.size) bytes, below the \(cursor.offset) already read; reading goes on from its new end")
                cursor.offset = file.size
                cursor.complete = false
                finish(&cursor, file, at: index)
                return index
            }
        }
        let source: any LogByteSource
        do {
            source = try file.source(from: cursor.offset)
            if file.compressed && cursor.offset > 0 {
                let skippedBytes = try source.skip(cursor.offset)
                if skippedBytes < cursor.offset {
                    skipped += 1
                    notes.append("\(name) holds only \(skippedBytes) bytes once decompressed, below the \(cursor.offset) already read; nothing new read from it")
                    cursor.complete = true
                    return finish(&cursor, file, at: cursorIndex)
                }
            }
        } catch {
            skipped += 1
            notes.append("cannot read \(name): \(error); skipped on this run")
            guard let index = cursorIndex else { return nil }
            return finish(&cursor, file, at: index)
        }
        let outcome = scanner.scan(source, startOffset: cursor.offset, finalLineComplete: file.compressed,
                                   handler: &handler)
        linesRead += outcome.lines
        bytesRead += outcome.endOffset - cursor.offset
        cursor.offset = outcome.endOffset
        cursor.complete = file.compressed && outcome.reachedEnd && outcome.error == nil
        if outcome.skipped > 0 {
            skipped += outcome.skipped
            var parts: [String] = []
            if outcome.unparsable > 0 { parts.append("\(outcome.unparsable) unparsable") }
            if outcome.unusable > 0 { parts.append("\(outcome.unusable) with an unusable name, address or date") }
            if outcome.overlong > 0 { parts.append("\(outcome.overlong) longer than \(scanner.maxLineLength) bytes") }
            let recognised = outcome.lines - outcome.unparsable - outcome.overlong
            if recognised * 20 < outcome.lines {
                // (Almost) nothing in it was a line of the expected format: not a quiet file, a wrong one.
                let found = recognised == 0 ? "none of the \(outcome.lines) lines read was recognised"
                    : "only \(recognised) of the \(outcome.lines) lines read were recognised"
                notes.append("\(name): \(found) (\(parts.joined(separator: ", "))); \(unrecognisedHint)")
            } else {
                notes.append("\(name): skipped \(outcome.skipped) of \(outcome.lines) lines read (\(parts.joined(separator: ", ")))")
            }
        }
        if let error = outcome.error {
            skipped += 1
            notes.append("\(name): reading stopped after \(outcome.endOffset) bytes: \(error); the rest is read on a later run")
        }
        return finish(&cursor, file, at: cursorIndex)
    }

    /// Brings `cursor` up to date with `file` (path, inode, size, head), stores it (new or at `index`)
    /// and returns its index.
    @discardableResult
    private mutating func finish(_ cursor: inout FileCursor, _ file: LogFileCandidate, at index: Int?) -> Int {
        cursor.path = file.path
        cursor.device = file.device
        cursor.inode = file.inode
        cursor.size = file.size
        cursor.compressed = file.compressed
        cursor.fingerprintLength = file.head.count
        cursor.fingerprint = Fingerprint.hash(file.head)
        cursor.lastSeen = now
        if let index {
            cursors[index] = cursor
            return index
        }
        // A new file with no complete line yet: nothing to remember (its short head could match another file).
        if cursor.offset == 0 && !cursor.complete { return -1 }
        cursors.append(cursor)
        return cursors.count - 1
    }

    /// Forgets cursors of files gone for a long time, and the oldest beyond ``maxCursors``.
    private mutating func prune(keeping claimed: Set<Int>) {
        var kept: [FileCursor] = []
        for (i, cursor) in cursors.enumerated() where claimed.contains(i) || now - cursor.lastSeen <= Self.forgetAfterSeconds {
            kept.append(cursor)
        }
        if kept.count > Self.maxCursors {
            kept.sort { $0.lastSeen > $1.lastSeen }
            kept.removeLast(kept.count - Self.maxCursors)
        }
        cursors = kept
    }
}
