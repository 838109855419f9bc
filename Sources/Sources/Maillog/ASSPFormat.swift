/// ASSP's counting rules for `maillog.txt` lines.
///
/// A message is a line tagged `[MessageOK]` whose comment starts with `message ok` (ASSP's `sayMessageOK`,
/// once per message). It is outgoing when its connection logged an AUTH user before it
/// (`info: authentication (PLAIN|LOGIN) realms - ... user:NAME`, joined on the message ID, else on worker and
/// client IP: the connection's login is a ``SessionLogin`` in the ledger's sessions), or its envelope sender's
/// domain is one of `localDomains`, or (with `localDomains` set) its recipient's domain is not: mail ASSP
/// accepted for relay. It counts once per message ID, on the local day of the line, for the login
/// (``ASSPIdentity/login``) or the envelope sender. Mail from `<>` without a login does not count.
struct ASSPFormat: LogFormat {
    /// Connections (logins) and counted message IDs are remembered this long (log time).
    static let maxAgeSeconds: Int64 = 12 * 3_600
    /// At most this many logins and message IDs each are remembered.
    static let maxEntries = 200_000
    static let countsRecipients = false

    let identity: ASSPIdentity
    let lowercase: Bool
    /// Lower-cased local domains.
    let localDomains: Set<[UInt8]>

    init(identity: ASSPIdentity, lowercase: Bool, localDomains: [String]) {
        self.identity = identity
        self.lowercase = lowercase
        self.localDomains = Set(localDomains.map { Array($0.lowercased().utf8) })
    }

    /// A message ID already counted.
    struct CountedMessage: LedgerEntry {
        var stamp: Int64
        var user: Int32 = -1

        func encode(to writer: inout CheckpointWriter, user: Int64) {
            writer.append(signed: stamp)
        }

        init(stamp: Int64) { self.stamp = stamp }

        init(decoding reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws {
            stamp = try reader.signed()
        }
    }

    typealias Ledger = LogLedger<ASSPFormat>

    func makeMessageTable() -> LedgerTable<[UInt8], CountedMessage> {
        LedgerTable(maxAge: Self.maxAgeSeconds, capacity: Self.maxEntries)
    }

    func makeSessionTable() -> LedgerTable<[UInt8], SessionLogin> {
        LedgerTable(maxAge: Self.maxAgeSeconds, capacity: Self.maxEntries)
    }

    mutating func handle(_ line: UnsafeBufferPointer<UInt8>, into ledger: inout Ledger) -> LineOutcome {
        let parsed = ASSPLine.parse(line)
        switch parsed.event {
        case .other, .continuation:
            return .ignored
        case .malformed:
            return .unparsable
        case let .authenticated(_, user, _):
            guard let ts = parsed.timestamp, let stamp = ledger.stamp(ts) else { return .unusable }
            guard let key = connectionKey(parsed, line) else { return .ignored }
            guard let name = IdentityBytes.normalize(user.bytes, lowercase: lowercase) else { return .unusable }
            ledger.sessions[key] = SessionLogin(stamp: stamp, user: ledger.intern(name))
            return .used
        case let .messageOK(from, to):
            guard let ts = parsed.timestamp, let stamp = ledger.stamp(ts) else { return .unusable }
            return message(parsed, line, ts, stamp, from: from, to: to, &ledger)
        }
    }

    private func message(_ parsed: ASSPLine, _ line: UnsafeBufferPointer<UInt8>, _ ts: LogTimestamp,
                         _ stamp: Int64, from: Range<Int>?, to: Range<Int>?, _ ledger: inout Ledger) -> LineOutcome {
        var messageID: [UInt8]?
        if let range = parsed.messageID {
            messageID = Array(line[range])
            if ledger.messages[messageID!] != nil { return .ignored }
        }
        let login = connectionKey(parsed, line).flatMap { ledger.sessions[$0] }
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
            guard let id = ledger.user(sender, lowercase: lowercase) else { return .unusable }
            user = id
        }
        guard let day = ledger.day(of: ts) else { return .unusable }
        ledger.count(day: day, user: user, messages: 1, recipients: 0)
        if let messageID { ledger.messages[messageID] = CountedMessage(stamp: stamp) }
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

    /// Version 1: the newest time, then logins (key, name, time), then counted message IDs (ID, time).
    static func decodeLegacyState(version: UInt64, from reader: inout CheckpointReader,
                                  into ledger: inout Ledger, tag: String) throws -> String? {
        guard version == 1 else { throw CheckpointReader.Failure() }
        var restored = ledger
        restored.restore(newestStamp: try reader.signed())
        for _ in 0..<(try reader.int()) {
            let key = try reader.bytes(max: [UInt8].maxKeyLength)
            let name = try reader.bytes(max: IdentityBytes.maxLength)
            let user = restored.intern(name)
            restored.sessions[key] = SessionLogin(stamp: try reader.signed(), user: user)
        }
        for _ in 0..<(try reader.int()) {
            let id = try reader.bytes(max: [UInt8].maxKeyLength)
            restored.messages[id] = CountedMessage(stamp: try reader.signed())
        }
        ledger = restored
        return nil
    }
}
