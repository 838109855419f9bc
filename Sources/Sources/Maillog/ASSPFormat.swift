/// ASSP's counting rules for `maillog.txt` (2.x and 1.x), built on what real ASSP 2.4.5 and 1.10.1 runs wrote
/// (`Tests/Fixtures/assp/README.md`).
///
/// - **A message** is the final line of an accepted message (``ASSPEvent/messageAccepted(relayed:)``): counted once,
///   on that line's local day.
/// - **Its login** is the login of its session: ASSP logs AUTH (`info: authentication ...`, the name only with
///   `AUTHLogUser`) on lines without message ID and the message on lines without login, and neither names the
///   session, so lines are tied by worker and client IP and by order (``ASSPConnectionGroup``): with `ConnectionLog`
///   by the sessions its `Connected:`/`Disconnected:` lines open and close, without by the AUTH lines themselves.
///   A failed AUTH (`[SMTP Error] 535`, `warning: SMTP authentication failed`) leaves its session unauthenticated,
///   so the failed name never owns that session's later mail. When several sessions of one IP were open on one
///   worker, the message is charged to one of them (the one whose login matches its sender, else the earliest
///   that has not sent) and reported as ambiguous (``notes``).
/// - **Outgoing**: a message of a session that logged in; 1.x's `[LocalOK]` (relayed); or, with `localDomains`,
///   one whose envelope sender's domain is local or whose first recipient's domain is not (ASSP relayed it).
///   Other mail (incoming) does not count. 2.x does not log the direction.
/// - **Charged to** the login (``ASSPIdentity/login``; lower-cased with `lowercase`) or the envelope sender (identity
///   `sender`, and mail without a logged login). An empty sender (a bounce; 2.4.5 also drops quoted local parts like
///   `"o'brien x"@...`) is no account and does not count.
/// - **Recipients**: the `recipient accepted:` lines of its message ID (`ValidateUserLog >= 2` with local-address
///   validation); without them ASSP logged only the first recipient, and the count is unknown (nil), not 1.
struct ASSPFormat: LogFormat {
    /// Sessions and transactions are remembered this long after their last line (log time).
    static let maxAgeSeconds: Int64 = 12 * 3_600
    /// At most this many worker/IP groups and transactions each are remembered.
    static let maxEntries = 200_000
    /// Replies that answer a failed AUTH: 535 credentials invalid, 534 mechanism too weak, 538 encryption
    /// required, 454 temporary failure (RFC 4954).
    static let authFailureCodes: Set<Int> = [454, 534, 535, 538]
    static let countsRecipients = true

    let identity: ASSPIdentity
    let lowercase: Bool
    /// Lower-cased local domains.
    let localDomains: Set<[UInt8]>
    /// ASSP's `LogDateFormat`, set to the run's date.
    let dateFormat: ASSPDateFormat

    /// Messages charged to one of several sessions that could have sent them (this run).
    private(set) var ambiguousMessages = 0
    /// Logins of those sessions (the first few).
    private(set) var ambiguousLogins: [String] = []
    /// Messages of sessions that logged in without a usable login in the log (this run).
    private(set) var messagesWithoutLogin = 0
    /// Of those, the ones without a sender either (not counted).
    private(set) var messagesWithoutLoginOrSender = 0

    init(identity: ASSPIdentity, lowercase: Bool, localDomains: [String], dateFormat: ASSPDateFormat = .standard) {
        self.identity = identity
        self.lowercase = lowercase
        self.localDomains = Set(localDomains.map { Array($0.lowercased().utf8) })
        self.dateFormat = dateFormat
    }

    typealias Ledger = LogLedger<ASSPFormat>

    var stateTag: String { lowercase ? "sessions" : "sessions/case" }

    func makeMessageTable() -> LedgerTable<[UInt8], ASSPTransaction> {
        LedgerTable(maxAge: Self.maxAgeSeconds, capacity: Self.maxEntries)
    }

    func makeSessionTable() -> LedgerTable<[UInt8], ASSPConnectionGroup> {
        LedgerTable(maxAge: Self.maxAgeSeconds, capacity: Self.maxEntries)
    }

    mutating func handle(_ line: UnsafeBufferPointer<UInt8>, into ledger: inout Ledger) -> LineOutcome {
        let parsed = ASSPLine.parse(line, format: dateFormat)
        switch parsed.event {
        case .other, .continuation: return .ignored
        case .malformed: return .unparsable
        default: break
        }
        guard let ts = parsed.timestamp, let stamp = ledger.stamp(ts) else { return .unusable }
        let worker = parsed.worker.map { Array(line[$0]) } ?? []
        let client = parsed.clientIP.map { Self.groupKey(worker, line[$0]) }
        switch parsed.event {
        case let .connected(session, ip):
            let key = Self.groupKey(worker, line[ip])
            var group = ledger.sessions[key] ?? ASSPConnectionGroup(stamp: stamp)
            group.open(session: session.map { Array(line[$0]) } ?? [], at: stamp)
            ledger.sessions[key] = group
            return .used
        case let .disconnected(session, ip):
            guard let key = ip.map({ Self.groupKey(worker, line[$0]) }) ?? client, var group = ledger.sessions[key] else {
                return .ignored
            }
            group.close(session: session.map { Array(line[$0]) } ?? [],
                        lastMessage: parsed.messageID.map { Array(line[$0]) } ?? [], at: stamp)
            ledger.sessions[key] = group.isEmpty ? nil : group
            return .used
        case .authAttempt, .authUser, .authSucceeded, .authFailed:
            guard let key = client else { return .ignored }
            var group = ledger.sessions[key] ?? ASSPConnectionGroup(stamp: stamp)
            var outcome = LineOutcome.used
            switch parsed.event {
            case .authAttempt: group.beginAuth(at: stamp)
            case let .authUser(_, user, _):
                let name = IdentityBytes.normalize(user.bytes, lowercase: lowercase)
                if name == nil { outcome = .unusable }
                group.name(name ?? [], at: stamp)
            case .authSucceeded: group.answer(succeeded: true, at: stamp)
            default: group.answer(succeeded: false, at: stamp)
            }
            ledger.sessions[key] = group
            return outcome
        case let .replyError(code):
            guard Self.authFailureCodes.contains(code), let key = client, var group = ledger.sessions[key],
                  group.refuseWaitingAuth(at: stamp)
            else { return .ignored }
            ledger.sessions[key] = group
            return .used
        case .recipientAccepted:
            guard let key = Self.transactionKey(parsed, line, worker) else { return .ignored }
            var transaction = ledger.messages[key] ?? ASSPTransaction(stamp: stamp)
            transaction.recipients += 1
            ledger.messages[key] = transaction
            if let client, var group = ledger.sessions[client] {
                group.transaction(at: stamp)
                ledger.sessions[client] = group
            }
            return .used
        case let .messageAccepted(relayed):
            return message(parsed, line, ts, stamp, worker: worker, client: client, relayed: relayed, &ledger)
        case .other, .continuation, .malformed:
            return .ignored
        }
    }

    /// The final line of an accepted message: whose session, whether outgoing, whom to charge, its recipients.
    private mutating func message(_ parsed: ASSPLine, _ line: UnsafeBufferPointer<UInt8>, _ ts: LogTimestamp,
                                  _ stamp: Int64, worker: [UInt8], client: [UInt8]?, relayed: Bool?,
                                  _ ledger: inout Ledger) -> LineOutcome {
        var attribution: (session: ASSPSession, ambiguous: Bool, involved: [[UInt8]])?
        if let client, var group = ledger.sessions[client] {
            attribution = group.attribute(message: parsed.messageID.map { Array(line[$0]) } ?? [],
                                          from: parsed.from.map { Array(line[$0]) } ?? [], at: stamp,
                                          byLogin: identity == .login)
            ledger.sessions[client] = group
        }
        var recipients: Int?
        if let key = Self.transactionKey(parsed, line, worker), let transaction = ledger.messages[key] {
            recipients = Int(transaction.recipients)
            ledger.messages[key] = nil
        }
        let session = attribution?.session
        let authenticated = session?.isAuthenticated == true
        let sender = parsed.from.map { UnsafeBufferPointer(rebasing: line[$0]) } ?? UnsafeBufferPointer(start: nil, count: 0)
        var outgoing = authenticated || relayed == true
        if !outgoing, relayed == nil, !localDomains.isEmpty {
            if !sender.isEmpty && localDomains.contains(Self.domain(of: sender)) {
                outgoing = true
            } else if let to = parsed.to, !localDomains.contains(Self.domain(of: UnsafeBufferPointer(rebasing: line[to]))) {
                outgoing = true  // relayed: ASSP let it through to a foreign domain
            }
        }
        guard outgoing else { return .ignored }
        if let attribution, attribution.ambiguous { noteAmbiguous(attribution.involved) }
        let user: Int32
        if identity == .login, authenticated, let login = session?.login, !login.isEmpty {
            user = ledger.intern(login)
        } else {
            let withoutLogin = identity == .login && authenticated
            if withoutLogin { messagesWithoutLogin += 1 }
            guard !sender.isEmpty else {
                if withoutLogin { messagesWithoutLoginOrSender += 1 }
                return .ignored  // a bounce: no account to charge
            }
            guard let id = ledger.user(sender, lowercase: lowercase) else { return .unusable }
            user = id
        }
        guard let day = ledger.day(of: ts) else { return .unusable }
        ledger.count(day: day, user: user, messages: 1, recipients: recipients)
        if let ip = parsed.clientIP { ledger.sawClient(day: day, user: user, ip: UnsafeBufferPointer(rebasing: line[ip])) }
        return .used
    }

    private mutating func noteAmbiguous(_ logins: [[UInt8]]) {
        ambiguousMessages += 1
        for login in logins where !login.isEmpty && ambiguousLogins.count < 8 {
            let name = String(decoding: login, as: UTF8.self)
            if !ambiguousLogins.contains(name) { ambiguousLogins.append(name) }
        }
    }

    var notes: [String] {
        var notes: [String] = []
        if ambiguousMessages > 0 {
            let names = ambiguousLogins.isEmpty ? "" : " (logins involved: \(ambiguousLogins.joined(separator: ", ")))"
            notes.append("\(Self.messages(ambiguousMessages)) could have come from more than one session open at the same time from one client IP (on one ASSP worker), and ASSP's lines do not say which: each was charged to the one whose login matches its sender, else to the earliest of them that had logged in and not sent yet\(names)")
        }
        if messagesWithoutLogin > 0 {
            let dropped = messagesWithoutLoginOrSender > 0 ? "; \(messagesWithoutLoginOrSender) of them had an empty sender and are not counted" : ""
            notes.append("\(Self.messages(messagesWithoutLogin)) came from sessions that logged in, but ASSP logged no usable login (turn on AUTHLogUser, see docs/sources.md): counted for their envelope sender\(dropped)")
        }
        return notes
    }

    private static func messages(_ n: Int) -> String { n == 1 ? "1 message" : "\(n) messages" }

    /// Worker and client IP: what ties a session's lines together.
    static func groupKey(_ worker: [UInt8], _ ip: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8] {
        worker + [0x7C] + Array(ip)
    }

    /// The transaction a line belongs to: its worker and message ID; without IDs (`uniqeIDLogging` off), its
    /// worker, client, sender and first recipient (every line of a transaction repeats them).
    static func transactionKey(_ parsed: ASSPLine, _ line: UnsafeBufferPointer<UInt8>, _ worker: [UInt8]) -> [UInt8]? {
        if let id = parsed.messageID { return worker + [0] + Array(line[id]) }
        guard let ip = parsed.clientIP else { return nil }
        var key = worker + [0] + Array(line[ip]) + [0]
        if let from = parsed.from { key += line[from] }
        key.append(0)
        if let to = parsed.to { key += line[to] }
        return key
    }

    /// The lower-cased domain of an address (after the last `@`; the whole text when there is none).
    static func domain(of address: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var start = 0
        for i in address.indices where address[i] == 0x40 { start = i + 1 }
        return address[start...].map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
    }

    func stateTagChangedNote(saved: String) -> String {
        "the saved state is from another assp-log version or lowercase setting: sessions open at the last run are not followed (their later messages count without their login)"
    }

    func forgottenNote(messages: Int, sessions: Int) -> String? {
        "forgot \(sessions) worker/client sessions and \(messages) transactions (more than \(Self.maxEntries) each); their later messages count without their login or recipients"
    }

    /// Version 1 (mvpipe 0.x): the newest time, then logins (key, name, time), then counted message IDs (ID, time).
    /// Logins keyed by worker and client IP become sessions waiting for their messages; logins keyed by message ID
    /// and counted IDs are of no use to the session rules and are dropped.
    static func decodeLegacyState(version: UInt64, from reader: inout CheckpointReader,
                                  into ledger: inout Ledger, tag: String) throws -> String? {
        guard version == 1 else { throw CheckpointReader.Failure() }
        var restored = ledger
        restored.restore(newestStamp: try reader.signed())
        for _ in 0..<(try reader.int()) {
            let key = try reader.bytes(max: [UInt8].maxKeyLength)
            let name = try reader.bytes(max: IdentityBytes.maxLength)
            let time = try reader.signed()
            guard key.contains(0x7C), let login = IdentityBytes.normalize(name, lowercase: tag == "sessions") else { continue }
            var session = ASSPSession(lastActive: time)
            session.auth = .succeeded
            session.login = login
            session.named = true
            var group = ASSPConnectionGroup(stamp: time)
            group.sessions = [session]
            restored.sessions[key] = group
        }
        for _ in 0..<(try reader.int()) {
            _ = try reader.bytes(max: [UInt8].maxKeyLength)
            _ = try reader.signed()
        }
        ledger = restored
        return nil
    }
}
