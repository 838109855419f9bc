/// Postfix's counting rules: one message per queue ID, remembered in flight between lines, files and runs.
///
/// With ``PostfixIdentity/saslUsername`` or ``PostfixIdentity/clientIP`` a message counts on its smtpd
/// `client=` line (on that line's day); its recipients are the `nrcpt` of the first qmgr `(queue active)` line
/// of the queue ID, added when that line comes (in the same run or a later one). With ``PostfixIdentity/sender``
/// the message counts when the first qmgr line names the sender, on the day of its `client=` or pickup line.
/// qmgr repeats its line on each delivery retry: only the first counts. `removed` forgets the queue ID.
///
/// Memory is bounded: queue IDs older than ``maxAgeSeconds`` (log time) are forgotten, and so are the oldest
/// ones beyond `maxInFlight` (see ``LedgerTable``).
struct PostfixFormat: LogFormat {
    /// A queue ID stays at most this long (Postfix's `maximal_queue_lifetime` is 5 days by default).
    static let maxAgeSeconds: Int64 = 7 * 86_400
    /// A qmgr line seen before its origin line waits at most this long for it.
    static let earlyMaxAgeSeconds: Int64 = 3_600
    static let countsRecipients = true

    let identity: PostfixIdentity
    let lowercase: Bool
    let maxInFlight: Int

    init(identity: PostfixIdentity, lowercase: Bool, maxInFlight: Int) {
        self.identity = identity
        self.lowercase = lowercase
        self.maxInFlight = maxInFlight
    }

    var stateTag: String { identity.rawValue }

    func makeMessageTable() -> LedgerTable<QueueID, InFlightMessage> {
        LedgerTable(maxAge: Self.maxAgeSeconds, provisionalMaxAge: Self.earlyMaxAgeSeconds, capacity: maxInFlight)
    }

    typealias Ledger = LogLedger<PostfixFormat>

    mutating func handle(_ line: UnsafeBufferPointer<UInt8>, into ledger: inout Ledger) -> LineOutcome {
        let parsed = PostfixLine.parse(line)
        switch parsed.event {
        case .other:
            return .ignored
        case .malformed:
            return .unparsable
        case let .smtpdClient(queueID, _, clientIP, _, user):
            guard let ts = parsed.timestamp, let stamp = ledger.stamp(ts) else { return .unusable }
            switch identity {
            case .saslUsername:
                guard let user else { return ignore(queueID, stamp, &ledger) }
                return origin(queueID, ts, stamp, identityBytes: UnsafeBufferPointer(rebasing: line[user]),
                              clientIP: UnsafeBufferPointer(rebasing: line[clientIP]), &ledger)
            case .clientIP:
                let ip = UnsafeBufferPointer(rebasing: line[clientIP])
                return origin(queueID, ts, stamp, identityBytes: ip, clientIP: ip, &ledger)
            case .sender:
                return senderOrigin(queueID, ts, stamp, &ledger)
            }
        case let .pickup(queueID, _, _):
            guard let ts = parsed.timestamp, let stamp = ledger.stamp(ts) else { return .unusable }
            return identity == .sender ? senderOrigin(queueID, ts, stamp, &ledger) : ignore(queueID, stamp, &ledger)
        case let .qmgrQueued(queueID, from, _, nrcpt):
            guard let ts = parsed.timestamp, let stamp = ledger.stamp(ts) else { return .unusable }
            return queued(queueID, stamp, from: UnsafeBufferPointer(rebasing: line[from]), nrcpt: nrcpt, &ledger)
        case let .qmgrRemoved(queueID):
            ledger.messages[queueID] = nil
            return .used
        }
    }

    /// A message that does not count: remember it so its qmgr lines are not taken for early ones.
    private func ignore(_ queueID: QueueID, _ stamp: Int64, _ ledger: inout Ledger) -> LineOutcome {
        if let entry = ledger.messages[queueID], entry.has(InFlightMessage.originSeen) { return .ignored }
        ledger.messages[queueID] = InFlightMessage(stamp: stamp, flags: InFlightMessage.originSeen | InFlightMessage.ignored)
        return .ignored
    }

    /// An smtpd `client=` line that names the user (SASL login or client IP): count it now.
    private func origin(_ queueID: QueueID, _ ts: LogTimestamp, _ stamp: Int64,
                        identityBytes: UnsafeBufferPointer<UInt8>, clientIP: UnsafeBufferPointer<UInt8>,
                        _ ledger: inout Ledger) -> LineOutcome {
        let existing = ledger.messages[queueID]
        if let existing, existing.has(InFlightMessage.originSeen) { return .ignored }  // logged twice
        guard let user = ledger.user(identityBytes, lowercase: lowercase), let day = ledger.day(of: ts) else {
            ledger.messages[queueID] = InFlightMessage(stamp: stamp, flags: InFlightMessage.originSeen | InFlightMessage.ignored)
            return .unusable
        }
        var entry = InFlightMessage(stamp: stamp, day: day, user: user,
                                    flags: InFlightMessage.originSeen | InFlightMessage.counted)
        var recipients = 0
        if let existing, existing.nrcpt >= 0 {
            recipients = Int(existing.nrcpt)
            entry.flags |= InFlightMessage.queued
        }
        ledger.count(day: day, user: user, messages: 1, recipients: recipients)
        ledger.sawClient(day: day, user: user, ip: clientIP)
        ledger.messages[queueID] = entry
        return .used
    }

    /// An origin line when the sender names the user: wait for qmgr's `from=`, unless it came first.
    private func senderOrigin(_ queueID: QueueID, _ ts: LogTimestamp, _ stamp: Int64,
                              _ ledger: inout Ledger) -> LineOutcome {
        let existing = ledger.messages[queueID]
        if let existing, existing.has(InFlightMessage.originSeen) { return .ignored }
        guard let day = ledger.day(of: ts) else {
            ledger.messages[queueID] = InFlightMessage(stamp: stamp, flags: InFlightMessage.originSeen | InFlightMessage.ignored)
            return .unusable
        }
        if let existing, existing.has(InFlightMessage.queued) {
            // qmgr's line came first.
            var entry = existing
            entry.flags |= InFlightMessage.originSeen
            entry.day = day
            if existing.user >= 0 && !existing.has(InFlightMessage.ignored) {
                entry.flags |= InFlightMessage.counted
                ledger.count(day: day, user: existing.user, messages: 1, recipients: Int(max(0, existing.nrcpt)))
            }
            ledger.messages[queueID] = entry
            return .used
        }
        ledger.messages[queueID] = InFlightMessage(stamp: stamp, day: day, flags: InFlightMessage.originSeen)
        return .used
    }

    /// A qmgr `from=<...>, size=N, nrcpt=N (queue active)` line.
    private func queued(_ queueID: QueueID, _ stamp: Int64, from: UnsafeBufferPointer<UInt8>, nrcpt: Int,
                        _ ledger: inout Ledger) -> LineOutcome {
        let recipients = Int32(clamping: nrcpt)
        guard var entry = ledger.messages[queueID] else {
            // Before its origin line (or a retry of a message forgotten): keep briefly.
            var early = InFlightMessage(stamp: stamp, nrcpt: recipients, flags: InFlightMessage.queued)
            if identity == .sender {
                if let user = sender(from, &ledger) { early.user = user } else { early.flags |= InFlightMessage.ignored }
            }
            ledger.messages[queueID] = early
            return .ignored
        }
        if entry.has(InFlightMessage.queued) || entry.has(InFlightMessage.ignored) { return .ignored }  // a retry
        entry.flags |= InFlightMessage.queued
        var outcome = LineOutcome.used
        if identity == .sender {
            if from.isEmpty {
                entry.flags |= InFlightMessage.ignored  // a bounce
                outcome = .ignored
            } else if let user = sender(from, &ledger) {
                entry.user = user
                entry.flags |= InFlightMessage.counted
                ledger.count(day: entry.day, user: user, messages: 1, recipients: nrcpt)
            } else {
                entry.flags |= InFlightMessage.ignored
                outcome = .unusable
            }
        } else if entry.has(InFlightMessage.counted) {
            ledger.count(day: entry.day, user: entry.user, messages: 0, recipients: nrcpt)
        }
        ledger.messages[queueID] = entry
        return outcome
    }

    private func sender(_ from: UnsafeBufferPointer<UInt8>, _ ledger: inout Ledger) -> Int32? {
        from.isEmpty ? nil : ledger.user(from, lowercase: lowercase)
    }

    func stateTagChangedNote(saved: String) -> String {
        "identity changed to \(identity.rawValue): messages in flight at the last run are not followed"
    }

    func forgottenNote(messages: Int, sessions: Int) -> String? {
        "forgot \(messages) queue IDs in flight (more than max_in_flight = \(maxInFlight)); their later recipients are not counted"
    }

    /// Version 1 (mvpipe 0.x): the same layout without the sessions table.
    static func decodeLegacyState(version: UInt64, from reader: inout CheckpointReader,
                                  into ledger: inout Ledger, tag: String) throws -> String? {
        guard version == 1 else { throw CheckpointReader.Failure() }
        let savedTag = String(decoding: try reader.bytes(max: 64), as: UTF8.self)
        var restored = ledger
        try restored.decodeBody(from: &reader, sessions: false)
        guard savedTag == tag else {
            return "identity changed to \(tag): messages in flight at the last run are not followed"
        }
        ledger = restored
        return nil
    }
}
