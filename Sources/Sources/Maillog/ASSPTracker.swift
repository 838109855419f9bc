/// Counts outgoing messages in ASSP's `maillog.txt` lines.
///
/// A message is a line tagged `[MessageOK]` whose comment starts with `message ok` (ASSP's `sayMessageOK`,
/// once per message). It is outgoing when its connection logged an AUTH user before it
/// (`info: authentication (PLAIN|LOGIN) realms - ... user:NAME`, joined on the message ID, else on worker and
/// client IP), or its envelope sender's domain is one of `localDomains`, or (with `localDomains` set) its
/// recipient's domain is not: mail ASSP accepted for relay. It counts once per message ID, on the local day of
/// the line, for the login (``ASSPIdentity/login``) or the envelope sender. Mail from `<>` without a login does
/// not count.
struct ASSPTracker: MaillogTracker {
    /// Connections (logins) and counted message IDs are remembered this long (log time).
    static let maxAgeSeconds: Int64 = 12 * 3_600
    static let evictionInterval = 1 << 18
    static let stateVersion: UInt64 = 1
    /// At most this many logins and message IDs each are remembered.
    static let maxEntries = 200_000

    let identity: ASSPIdentity
    let lowercase: Bool
    /// Lower-cased local domains.
    let localDomains: Set<[UInt8]>
    var resolver: DayResolver
    private(set) var users = UserTable()
    private(set) var tally = VolumeTally()
    /// The timestamp of the line being handled.
    private var lastTimestamp: LogTimestamp?
    private var logins: [[UInt8]: (user: Int32, stamp: Int64)] = [:]
    private var countedIDs: [[UInt8]: Int64] = [:]
    private var newestStamp: Int64 = .min
    private var linesUntilEviction = ASSPTracker.evictionInterval

    init(identity: ASSPIdentity, lowercase: Bool, localDomains: [String], resolver: DayResolver) {
        self.identity = identity
        self.lowercase = lowercase
        self.localDomains = Set(localDomains.map { Array($0.lowercased().utf8) })
        self.resolver = resolver
    }

    mutating func handle(_ line: UnsafeBufferPointer<UInt8>) -> LineOutcome {
        linesUntilEviction -= 1
        if linesUntilEviction == 0 {
            linesUntilEviction = Self.evictionInterval
            evict()
        }
        let parsed = ASSPLine.parse(line)
        switch parsed.event {
        case .other, .continuation:
            return .ignored
        case .malformed:
            return .unparsable
        case let .authenticated(_, user, _):
            guard let ts = parsed.timestamp, let stamp = stamp(ts) else { return .unusable }
            guard let key = connectionKey(parsed, line) else { return .ignored }
            guard let name = IdentityBytes.normalize(user.bytes, lowercase: lowercase) else { return .unusable }
            logins[key] = (users.id(for: name), stamp)
            return .used
        case let .messageOK(from, to):
            guard let ts = parsed.timestamp, let stamp = stamp(ts) else { return .unusable }
            return message(parsed, line, ts, stamp, from: from, to: to)
        }
    }

    private mutating func message(_ parsed: ASSPLine, _ line: UnsafeBufferPointer<UInt8>, _ ts: LogTimestamp,
                                  _ stamp: Int64, from: Range<Int>?, to: Range<Int>?) -> LineOutcome {
        var messageID: [UInt8]?
        if let range = parsed.messageID {
            messageID = Array(line[range])
            if countedIDs[messageID!] != nil { return .ignored }
        }
        let login = connectionKey(parsed, line).flatMap { logins[$0] }
        let sender = from.map { UnsafeBufferPointer(rebasing: line[$0]) } ?? UnsafeBufferPointer(start: nil, count: 0)
        var outgoing = login != nil
        if !outgoing, !localDomains.isEmpty, !sender.isEmpty {
            if localDomains.contains(domain(of: sender)) {
                outgoing = true
            } else if let to, !localDomains.contains(domain(of: UnsafeBufferPointer(rebasing: line[to]))) {
                outgoing = true  // relayed: ASSP let it through to a foreign domain
            }
        }
        guard outgoing else { return .ignored }
        let user: Int32
        if identity == .login, let login {
            user = login.user
        } else {
            guard !sender.isEmpty else { return .ignored }  // a bounce
            guard let name = IdentityBytes.normalize(sender, lowercase: lowercase) else { return .unusable }
            user = users.id(for: name)
        }
        guard let day = resolver.day(of: ts) else { return .unusable }
        count(day: Int32(day.dayNumber), user: user, messages: 1, recipients: 0)
        if let messageID { countedIDs[messageID] = stamp }
        return .used
    }

    /// The lower-cased domain of an address (after the last `@`; the whole text when there is none).
    private func domain(of address: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var start = 0
        for i in address.indices where address[i] == 0x40 { start = i + 1 }
        return address[start...].map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
    }

    /// The message ID, else worker and client IP: what ties a connection's lines together.
    private func connectionKey(_ parsed: ASSPLine, _ line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if let id = parsed.messageID { return Array(line[id]) }
        guard let worker = parsed.worker, let ip = parsed.clientIP else { return nil }
        return Array(line[worker]) + [0x7C] + Array(line[ip])
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

    /// Forgets logins and message IDs older than ``maxAgeSeconds`` and the oldest beyond ``maxEntries``.
    mutating func evict() {
        guard newestStamp != .min else { return }
        let horizon = newestStamp - Self.maxAgeSeconds
        logins = logins.filter { $0.value.stamp >= horizon }
        countedIDs = countedIDs.filter { $0.value >= horizon }
        if logins.count > Self.maxEntries {
            let cutoff = logins.values.map(\.stamp).sorted(by: >)[Self.maxEntries - 1]
            logins = logins.filter { $0.value.stamp >= cutoff }
        }
        if countedIDs.count > Self.maxEntries {
            let cutoff = countedIDs.values.sorted(by: >)[Self.maxEntries - 1]
            countedIDs = countedIDs.filter { $0.value >= cutoff }
        }
    }

    // MARK: checkpoint

    func encodeState(to writer: inout CheckpointWriter) {
        writer.append(Self.stateVersion)
        writer.append(signed: newestStamp == .min ? 0 : newestStamp)
        writer.append(UInt64(logins.count))
        for (key, login) in logins {
            writer.append(bytes: key)
            writer.append(bytes: users.names[Int(login.user)])
            writer.append(signed: login.stamp)
        }
        writer.append(UInt64(countedIDs.count))
        for (id, stamp) in countedIDs {
            writer.append(bytes: id)
            writer.append(signed: stamp)
        }
    }

    static let countsRecipients = false
    var notes: [String] { [] }

    mutating func decodeState(from reader: inout CheckpointReader) throws -> String? {
        guard try reader.unsigned() == Self.stateVersion else { throw CheckpointReader.Failure() }
        let stamp = try reader.signed()
        newestStamp = stamp == 0 ? .min : stamp
        for _ in 0..<(try reader.int()) {
            let key = try reader.bytes(max: 4096)
            let name = try reader.bytes(max: IdentityBytes.maxLength)
            logins[key] = (users.id(for: name), try reader.signed())
        }
        for _ in 0..<(try reader.int()) {
            let id = try reader.bytes(max: 4096)
            countedIDs[id] = try reader.signed()
        }
        return nil
    }
}
