import Pipeline

/// The state every log format shares while it reads: the days, the users and the tally, the newest time seen,
/// messages in flight and sessions. A ``LogFormat`` records what its lines mean here; ``LogTracker`` ages it,
/// and saves and restores it in the checkpoint.
struct LogLedger<Format: LogFormat> {
    /// Layout of the saved state: version, tag, newest time, user names, messages, sessions.
    static var stateVersion: UInt64 { 2 }

    /// Turns line times into local days and instants.
    var resolver: DayResolver
    /// The users seen, by id.
    private(set) var users = UserTable()
    /// What was counted on this run.
    private(set) var tally = VolumeTally()
    /// The client IPs seen with each user on this run.
    private(set) var clientIPs = ClientIPTally()
    /// Messages in flight.
    var messages: LedgerTable<Format.MessageKey, Format.Message>
    /// Sessions (connections) whose login is known.
    var sessions: LedgerTable<Format.SessionKey, Format.Session>
    /// The newest line time seen (for ageing), or `.min`.
    private(set) var newestStamp: Int64 = .min
    /// The time of the line being handled (for the 5-minute buckets).
    private var lastTimestamp: LogTimestamp?

    init(format: Format, resolver: DayResolver) {
        self.resolver = resolver
        messages = format.makeMessageTable()
        sessions = format.makeSessionTable()
    }

    /// Notes the time of the line being handled; returns its seconds (``DayResolver/seconds(of:)``), or nil for a
    /// date that does not exist (the line is unusable).
    mutating func stamp(_ ts: LogTimestamp) -> Int64? {
        lastTimestamp = ts
        guard let s = resolver.seconds(of: ts) else { return nil }
        if s > newestStamp { newestStamp = s }
        return s
    }

    /// The local day number of `ts`, or nil when it names no real date.
    mutating func day(of ts: LogTimestamp) -> Int32? {
        resolver.day(of: ts).map { Int32($0.dayNumber) }
    }

    /// The id of the user `name` (already checked by ``IdentityBytes``), adding it when new.
    mutating func intern(_ name: [UInt8]) -> Int32 {
        users.id(for: name)
    }

    /// The id of the user whose name is `bytes` (checked and normalised by ``IdentityBytes``), or nil when the
    /// bytes are no usable name (the line is unusable).
    mutating func user(_ bytes: UnsafeBufferPointer<UInt8>, lowercase: Bool) -> Int32? {
        IdentityBytes.normalize(bytes, lowercase: lowercase).map { users.id(for: $0) }
    }

    /// Counts for `user` on the day numbered `day`; counted messages go into the 5-minute bucket of the
    /// current line's instant. `recipients` nil: the log did not say (``VolumeTally/add(day:user:messages:recipients:instant:)``).
    mutating func count(day: Int32, user: Int32, messages: Int, recipients: Int?) {
        let instant = messages != 0 ? lastTimestamp.flatMap { resolver.instant(of: $0) } : nil
        tally.add(day: day, user: user, messages: messages, recipients: recipients, instant: instant)
    }

    /// Notes that one message of `user` on the day numbered `day` came from the client `ip` (for the alert's evidence).
    mutating func sawClient(day: Int32, user: Int32, ip: UnsafeBufferPointer<UInt8>) {
        clientIPs.add(day: day, user: user, ip: ip)
    }

    /// The client IPs seen on this run, per day and user; call after ``takeReport(withRecipients:)`` (empties them).
    mutating func takeClientIPs() -> [Day: [String: [String: Int]]] {
        clientIPs.take(users: users)
    }

    /// Whether counted messages go into 5-minute buckets (``CollectRequest/wantsBuckets``).
    var recordsBuckets: Bool {
        get { tally.recordsBuckets }
        set { tally.recordsBuckets = newValue }
    }

    /// The report's counts and buckets, once reading is done: empties the tally and the users' index.
    mutating func takeReport(withRecipients: Bool) -> (counts: [Day: [String: UserVolume]], buckets: [String: [Int64: Int]]) {
        users.dropIndex()
        return tally.take(users: users, withRecipients: withRecipients)
    }

    /// Forgets messages and sessions too old or too many.
    mutating func evict() {
        messages.evict(newest: newestStamp)
        sessions.evict(newest: newestStamp)
    }

    // MARK: checkpoint

    /// Writes the state, with only the user names it references.
    func encode(tag: String, to writer: inout CheckpointWriter) {
        writer.append(Self.stateVersion)
        writer.append(bytes: Array(tag.utf8))
        writer.append(signed: newestStamp == .min ? 0 : newestStamp)
        var remap: [Int32: Int64] = [:]
        var names: [[UInt8]] = []
        for user in Array(messages.users) + Array(sessions.users) where remap[user] == nil {
            remap[user] = Int64(names.count)
            names.append(users.name(of: user))
        }
        writer.append(UInt64(names.count))
        for name in names { writer.append(bytes: name) }
        messages.encode(to: &writer, remap: remap)
        sessions.encode(to: &writer, remap: remap)
    }

    /// Restores what ``encode(tag:to:)`` wrote (or an older layout, through the format); keeps nothing, and
    /// returns the format's note, when it was saved under another tag.
    mutating func decode(tag: String, format: Format, from reader: inout CheckpointReader) throws -> String? {
        let version = try reader.unsigned()
        guard version == Self.stateVersion else {
            return try Format.decodeLegacyState(version: version, from: &reader, into: &self, tag: tag)
        }
        let savedTag = String(decoding: try reader.bytes(max: 64), as: UTF8.self)
        // State saved under another tag may have another layout: it is not read at all.
        guard savedTag == tag else { return format.stateTagChangedNote(saved: savedTag) }
        var restored = self
        try restored.decodeBody(from: &reader, sessions: true)
        self = restored
        return nil
    }

    /// Reads the newest time, the names and the tables (the sessions only when `sessions`: layouts without them
    /// are older ones of formats that had none).
    mutating func decodeBody(from reader: inout CheckpointReader, sessions withSessions: Bool) throws {
        let stamp = try reader.signed()
        var restored = UserTable()
        var ids: [Int32] = []
        for _ in 0..<(try reader.int()) { ids.append(restored.id(for: try reader.bytes(max: IdentityBytes.maxLength))) }
        let user: (Int64) throws -> Int32 = { index in
            guard index < Int64(ids.count) else { throw CheckpointReader.Failure() }
            return index >= 0 ? ids[Int(index)] : -1
        }
        try messages.decode(from: &reader, user: user)
        if withSessions { try sessions.decode(from: &reader, user: user) }
        users = restored
        newestStamp = stamp == 0 ? .min : stamp
    }

    /// Restores state that older layouts kept in other shapes: the newest time and interned users.
    mutating func restore(newestStamp stamp: Int64) {
        newestStamp = stamp == 0 ? .min : stamp
    }
}
