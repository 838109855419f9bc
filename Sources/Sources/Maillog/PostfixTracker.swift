/// Counts messages in Postfix log lines, one per queue ID, remembering queue IDs in flight between lines,
/// files and runs.
///
/// With ``PostfixIdentity/saslUsername`` or ``PostfixIdentity/clientIP`` a message counts on its smtpd
/// `client=` line (on that line's day); its recipients are the `nrcpt` of the first qmgr `(queue active)` line
/// of the queue ID, added when that line comes (in the same run or a later one). With ``PostfixIdentity/sender``
/// the message counts when the first qmgr line names the sender, on the day of its `client=` or pickup line.
/// qmgr repeats its line on each delivery retry: only the first counts. `removed` forgets the queue ID.
///
/// Memory is bounded: entries older than ``maxAgeSeconds`` (log time) are forgotten, and so are the oldest
/// ones beyond `maxInFlight`.
struct PostfixTracker: MaillogTracker {
    /// A queue ID stays at most this long (Postfix's `maximal_queue_lifetime` is 5 days by default).
    static let maxAgeSeconds: Int64 = 7 * 86_400
    /// A qmgr line seen before its origin line waits at most this long for it.
    static let earlyMaxAgeSeconds: Int64 = 3_600
    /// How often (in lines) old entries are looked for.
    static let evictionInterval = 1 << 18
    /// Checkpoint format of this state.
    static let stateVersion: UInt64 = 1

    let identity: PostfixIdentity
    let lowercase: Bool
    let maxInFlight: Int
    var resolver: DayResolver
    private(set) var users = UserTable()
    private(set) var tally = VolumeTally()
    /// The timestamp of the line being handled.
    private var lastTimestamp: LogTimestamp?
    private(set) var inFlight: [QueueID: InFlightMessage] = [:]
    /// The newest line time seen (for ageing).
    private(set) var newestStamp: Int64 = .min
    /// Entries dropped because there were more than `maxInFlight`.
    private(set) var forgotten = 0
    private var linesUntilEviction = PostfixTracker.evictionInterval

    init(identity: PostfixIdentity, lowercase: Bool, maxInFlight: Int, resolver: DayResolver) {
        self.identity = identity
        self.lowercase = lowercase
        self.maxInFlight = maxInFlight
        self.resolver = resolver
    }

    mutating func handle(_ line: UnsafeBufferPointer<UInt8>) -> LineOutcome {
        linesUntilEviction -= 1
        if linesUntilEviction == 0 {
            linesUntilEviction = Self.evictionInterval
            evict()
        }
        let parsed = PostfixLine.parse(line)
        switch parsed.event {
        case .other:
            return .ignored
        case .malformed:
            return .unparsable
        case let .smtpdClient(queueID, _, clientIP, _, user):
            guard let ts = parsed.timestamp, let stamp = stamp(ts) else { return .unusable }
            switch identity {
            case .saslUsername:
                guard let user else { return ignore(queueID, stamp) }
                return user.bytes.withUnsafeBufferPointer { origin(queueID, ts, stamp, identityBytes: $0) }
            case .clientIP:
                return origin(queueID, ts, stamp, identityBytes: UnsafeBufferPointer(rebasing: line[clientIP]))
            case .sender:
                return senderOrigin(queueID, ts, stamp)
            }
        case let .pickup(queueID, _, _):
            guard let ts = parsed.timestamp, let stamp = stamp(ts) else { return .unusable }
            return identity == .sender ? senderOrigin(queueID, ts, stamp) : ignore(queueID, stamp)
        case let .qmgrQueued(queueID, from, _, nrcpt):
            guard let ts = parsed.timestamp, let stamp = stamp(ts) else { return .unusable }
            return queued(queueID, stamp, from: UnsafeBufferPointer(rebasing: line[from]), nrcpt: nrcpt)
        case let .qmgrRemoved(queueID):
            inFlight[queueID] = nil
            return .used
        }
    }

    /// Adds to the tally, putting counted messages in the bucket of the current line's instant.
    private mutating func count(day: Int32, user: Int32, messages: Int, recipients: Int) {
        let instant = messages != 0 ? lastTimestamp.flatMap { resolver.instant(of: $0) } : nil
        tally.add(day: day, user: user, messages: messages, recipients: recipients, instant: instant)
    }

    private mutating func stamp(_ ts: LogTimestamp) -> Int64? {
        lastTimestamp = ts
        guard let s = resolver.seconds(of: ts) else { return nil }
        if s > newestStamp { newestStamp = s }
        return s
    }

    /// A message that does not count: remember it so its qmgr lines are not taken for early ones.
    private mutating func ignore(_ queueID: QueueID, _ stamp: Int64) -> LineOutcome {
        if let entry = inFlight[queueID], entry.has(InFlightMessage.originSeen) { return .ignored }
        inFlight[queueID] = InFlightMessage(stamp: stamp, flags: InFlightMessage.originSeen | InFlightMessage.ignored)
        return .ignored
    }

    /// An smtpd `client=` line that names the user (SASL login or client IP): count it now.
    private mutating func origin(_ queueID: QueueID, _ ts: LogTimestamp, _ stamp: Int64,
                                 identityBytes: UnsafeBufferPointer<UInt8>) -> LineOutcome {
        let existing = inFlight[queueID]
        if let existing, existing.has(InFlightMessage.originSeen) { return .ignored }  // logged twice
        guard let name = IdentityBytes.normalize(identityBytes, lowercase: lowercase),
              let day = resolver.day(of: ts) else {
            inFlight[queueID] = InFlightMessage(stamp: stamp, flags: InFlightMessage.originSeen | InFlightMessage.ignored)
            return .unusable
        }
        let user = users.id(for: name)
        let dayNumber = Int32(day.dayNumber)
        var entry = InFlightMessage(stamp: stamp, day: dayNumber, user: user,
                                    flags: InFlightMessage.originSeen | InFlightMessage.counted)
        var recipients = 0
        if let existing, existing.nrcpt >= 0 {
            recipients = Int(existing.nrcpt)
            entry.flags |= InFlightMessage.queued
        }
        count(day: dayNumber, user: user, messages: 1, recipients: recipients)
        inFlight[queueID] = entry
        return .used
    }

    /// An origin line when the sender names the user: wait for qmgr's `from=`, unless it came first.
    private mutating func senderOrigin(_ queueID: QueueID, _ ts: LogTimestamp, _ stamp: Int64) -> LineOutcome {
        let existing = inFlight[queueID]
        if let existing, existing.has(InFlightMessage.originSeen) { return .ignored }
        guard let day = resolver.day(of: ts) else {
            inFlight[queueID] = InFlightMessage(stamp: stamp, flags: InFlightMessage.originSeen | InFlightMessage.ignored)
            return .unusable
        }
        let dayNumber = Int32(day.dayNumber)
        if let existing, existing.has(InFlightMessage.queued) {
            // qmgr's line came first.
            var entry = existing
            entry.flags |= InFlightMessage.originSeen
            entry.day = dayNumber
            if existing.user >= 0 && !existing.has(InFlightMessage.ignored) {
                entry.flags |= InFlightMessage.counted
                count(day: dayNumber, user: existing.user, messages: 1, recipients: Int(max(0, existing.nrcpt)))
            }
            inFlight[queueID] = entry
            return .used
        }
        inFlight[queueID] = InFlightMessage(stamp: stamp, day: dayNumber, flags: InFlightMessage.originSeen)
        return .used
    }

    /// A qmgr `from=<...>, size=N, nrcpt=N (queue active)` line.
    private mutating func queued(_ queueID: QueueID, _ stamp: Int64, from: UnsafeBufferPointer<UInt8>,
                                 nrcpt: Int) -> LineOutcome {
        let recipients = Int32(clamping: nrcpt)
        guard var entry = inFlight[queueID] else {
            // Before its origin line (or a retry of a message forgotten): keep briefly.
            var early = InFlightMessage(stamp: stamp, nrcpt: recipients, flags: InFlightMessage.queued)
            if identity == .sender {
                if let name = senderName(from) { early.user = users.id(for: name) } else { early.flags |= InFlightMessage.ignored }
            }
            inFlight[queueID] = early
            return .ignored
        }
        if entry.has(InFlightMessage.queued) || entry.has(InFlightMessage.ignored) { return .ignored }  // a retry
        entry.flags |= InFlightMessage.queued
        var outcome = LineOutcome.used
        if identity == .sender {
            if from.isEmpty {
                entry.flags |= InFlightMessage.ignored  // a bounce
                outcome = .ignored
            } else if let name = senderName(from) {
                entry.user = users.id(for: name)
                entry.flags |= InFlightMessage.counted
                count(day: entry.day, user: entry.user, messages: 1, recipients: nrcpt)
            } else {
                entry.flags |= InFlightMessage.ignored
                outcome = .unusable
            }
        } else if entry.has(InFlightMessage.counted) {
            count(day: entry.day, user: entry.user, messages: 0, recipients: nrcpt)
        }
        inFlight[queueID] = entry
        return outcome
    }

    private func senderName(_ from: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        from.isEmpty ? nil : IdentityBytes.normalize(from, lowercase: lowercase)
    }

    /// Forgets entries too old to matter, then the oldest beyond `maxInFlight`.
    mutating func evict() {
        guard !inFlight.isEmpty, newestStamp != .min else { return }
        let horizon = newestStamp - Self.maxAgeSeconds
        let earlyHorizon = newestStamp - Self.earlyMaxAgeSeconds
        if inFlight.values.contains(where: { $0.stamp < ($0.has(InFlightMessage.originSeen) ? horizon : earlyHorizon) }) {
            inFlight = inFlight.filter { $0.value.stamp >= ($0.value.has(InFlightMessage.originSeen) ? horizon : earlyHorizon) }
        }
        if inFlight.count > maxInFlight {
            let keep = maxInFlight - maxInFlight / 10
            let cutoff = inFlight.values.map(\.stamp).sorted(by: >)[keep - 1]
            let before = inFlight.count
            inFlight = inFlight.filter { $0.value.stamp > cutoff }
            forgotten += before - inFlight.count
        }
    }

    // MARK: checkpoint

    /// The in-flight state, with only the users it references.
    func encodeState(to writer: inout CheckpointWriter) {
        writer.append(Self.stateVersion)
        writer.append(bytes: Array(identity.rawValue.utf8))
        writer.append(signed: newestStamp == .min ? 0 : newestStamp)
        var remap: [Int32: Int32] = [:]
        var names: [[UInt8]] = []
        for entry in inFlight.values where entry.user >= 0 && remap[entry.user] == nil {
            remap[entry.user] = Int32(names.count)
            names.append(users.names[Int(entry.user)])
        }
        writer.append(UInt64(names.count))
        for name in names { writer.append(bytes: name) }
        writer.append(UInt64(inFlight.count))
        for (queueID, entry) in inFlight {
            writer.append(bytes: queueID.bytes)
            writer.append(signed: entry.stamp)
            writer.append(signed: Int64(entry.day))
            writer.append(signed: Int64(entry.user >= 0 ? remap[entry.user]! : -1))
            writer.append(signed: Int64(entry.nrcpt))
            writer.append(UInt64(entry.flags))
        }
    }

    static let countsRecipients = true

    /// Said after the run when queue IDs had to be forgotten.
    var notes: [String] {
        forgotten > 0 ? ["forgot \(forgotten) queue IDs in flight (more than max_in_flight = \(maxInFlight)); their later recipients are not counted"] : []
    }

    /// Restores what ``encodeState(to:)`` wrote; keeps nothing (and says so) when it was written for
    /// another identity, whose in-flight entries mean something else.
    mutating func decodeState(from reader: inout CheckpointReader) throws -> String? {
        guard try reader.unsigned() == Self.stateVersion else { throw CheckpointReader.Failure() }
        let savedIdentity = String(decoding: try reader.bytes(max: 64), as: UTF8.self)
        let stamp = try reader.signed()
        let nameCount = try reader.int()
        var ids: [Int32] = []
        var restored = UserTable()
        for _ in 0..<nameCount { ids.append(restored.id(for: try reader.bytes(max: IdentityBytes.maxLength))) }
        let entryCount = try reader.int()
        var entries: [QueueID: InFlightMessage] = [:]
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            let raw = try reader.bytes(max: QueueID.maxLength)
            guard let queueID = raw.withUnsafeBufferPointer({ QueueID($0, 0..<$0.count) }) else {
                throw CheckpointReader.Failure()
            }
            var entry = InFlightMessage(stamp: try reader.signed())
            entry.day = Int32(clamping: try reader.signed())
            let user = try reader.signed()
            guard user < Int64(ids.count) else { throw CheckpointReader.Failure() }
            entry.user = user >= 0 ? ids[Int(user)] : -1
            entry.nrcpt = Int32(clamping: try reader.signed())
            entry.flags = UInt8(try reader.unsigned(max: 255))
            entries[queueID] = entry
        }
        guard savedIdentity == identity.rawValue else {
            return "identity changed to \(identity.rawValue): messages in flight at the last run are not followed"
        }
        users = restored
        inFlight = entries
        newestStamp = stamp == 0 ? .min : stamp
        return nil
    }
}
