/// Exim's counting rules for main log lines.
///
/// A message counts once, on its arrival (`<=`) line, when that line has an `A=authenticator:login` field: for
/// the login (``EximIdentity/login``) or the envelope sender (``EximIdentity/sender``; `<>` counts for nobody).
/// Inbound mail, local submissions (`U=... P=local`), Exim's own bounces, failed logins and rejections have no
/// `A=` and count for nobody.
///
/// Recipients: the number of addresses in the arrival line's `for` list (`log_selector = +received_recipients`),
/// exact. Without it, each distinct envelope recipient of the message's `=>`, `->`, `**` and `==` lines counts
/// once, when first seen (a deferral that repeats, then succeeds, is one recipient); the message stays in flight
/// until its `Completed` line, across runs and rotation. That is exact unless Exim merges two envelope recipients
/// into one delivery (an alias that expands to another recipient of the same message): see `docs/sources.md`.
struct EximFormat: LogFormat {
    /// A message without `Completed` stays this long (Debian's retry rules give up after 4 days).
    static let maxAgeSeconds: Int64 = 7 * 86_400
    /// At most this many recipients of one message are remembered to recognise repeats.
    static let maxRecipientsRemembered = 10_000
    static let countsRecipients = true

    let identity: EximIdentity
    let lowercase: Bool
    let maxInFlight: Int

    init(identity: EximIdentity, lowercase: Bool, maxInFlight: Int) {
        self.identity = identity
        self.lowercase = lowercase
        self.maxInFlight = maxInFlight
    }

    /// An authenticated message without a `for` list, until `Completed`: its day, user and the envelope
    /// recipients seen (FNV-1a hashes).
    struct Message: LedgerEntry, Equatable {
        var stamp: Int64
        var day: Int32
        var user: Int32
        var recipients: [UInt64] = []

        init(stamp: Int64, day: Int32, user: Int32) {
            self.stamp = stamp
            self.day = day
            self.user = user
        }

        func encode(to writer: inout CheckpointWriter, user: Int64) {
            writer.append(signed: stamp)
            writer.append(signed: Int64(day))
            writer.append(signed: user)
            writer.append(UInt64(recipients.count))
            for r in recipients { writer.append(r) }
        }

        init(decoding reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws {
            stamp = try reader.signed()
            day = Int32(clamping: try reader.signed())
            self.user = try user(try reader.signed())
            for _ in 0..<(try reader.int(max: EximFormat.maxRecipientsRemembered)) { recipients.append(try reader.unsigned()) }
        }
    }

    var stateTag: String { identity.rawValue }

    func makeMessageTable() -> LedgerTable<EximMessageID, Message> {
        LedgerTable(maxAge: Self.maxAgeSeconds, capacity: maxInFlight)
    }

    typealias Ledger = LogLedger<EximFormat>

    mutating func handle(_ line: UnsafeBufferPointer<UInt8>, into ledger: inout Ledger) -> LineOutcome {
        let parsed = EximLine.parse(line, deliveriesOf: { ledger.messages[$0] != nil })
        switch parsed.event {
        case .other:
            return .ignored
        case .malformed:
            return .unparsable
        case .completed:
            guard let id = parsed.messageID, ledger.messages[id] != nil else { return .ignored }
            ledger.messages[id] = nil
            return .used
        case let .arrival(sender, _, login, recipients):
            guard let id = parsed.messageID, let login else { return .ignored }  // not authenticated
            guard let ts = parsed.timestamp, let stamp = ledger.stamp(ts), let day = ledger.day(of: ts) else {
                return .unusable
            }
            let name: UnsafeBufferPointer<UInt8>
            switch identity {
            case .login:
                name = UnsafeBufferPointer(rebasing: line[login])
            case .sender:
                guard let sender else { return .ignored }  // `<>`
                name = UnsafeBufferPointer(rebasing: line[sender])
            }
            guard let user = ledger.user(name, lowercase: lowercase) else { return .unusable }
            ledger.count(day: day, user: user, messages: 1, recipients: recipients ?? 0)
            if let ip = Self.hostIP(line) { ledger.sawClient(day: day, user: user, ip: UnsafeBufferPointer(rebasing: line[ip])) }
            if recipients == nil { ledger.messages[id] = Message(stamp: stamp, day: day, user: user) }
            return .used
        case let .delivery(_, _, envelope):
            guard let id = parsed.messageID, var message = ledger.messages[id] else { return .ignored }
            if let ts = parsed.timestamp { _ = ledger.stamp(ts) }
            let key = Fingerprint.hash(UnsafeBufferPointer(rebasing: line[envelope]))
            guard !message.recipients.contains(key) else { return .ignored }
            if message.recipients.count < Self.maxRecipientsRemembered { message.recipients.append(key) }
            ledger.count(day: message.day, user: message.user, messages: 0, recipients: 1)
            ledger.messages[id] = message
            return .used
        }
    }

    func stateTagChangedNote(saved: String) -> String {
        "identity changed to \(identity.rawValue): messages in flight at the last run are not followed"
    }

    func forgottenNote(messages: Int, sessions: Int) -> String? {
        "forgot \(messages) messages in flight (more than max_in_flight = \(maxInFlight)); their later recipients are not counted"
    }
}

extension EximMessageID: LedgerKey {
    func encode(to writer: inout CheckpointWriter) {
        writer.append(bytes: bytes)
    }

    init(decoding reader: inout CheckpointReader) throws {
        let raw = try reader.bytes(max: ShortBytes.capacity)
        guard let id = raw.withUnsafeBufferPointer({ EximMessageID($0, 0..<$0.count) }) else {
            throw CheckpointReader.Failure()
        }
        self = id
    }
}

extension EximFormat {
    /// The client's address in an arrival line's ` H=name (helo) [IP]:port` field, if there is one.
    static func hostIP(_ line: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard let h = ByteScan.find(line, " H=", from: 0, end: line.count) else { return nil }
        var i = h + 3
        while i < line.count, line[i] != 0x5B {  // [
            if line[i] == 0x3D, i > 0, line[i - 2] == 0x20 { return nil }  // the next ` X=` field: no address
            i += 1
        }
        guard i < line.count else { return nil }
        var j = i + 1
        while j < line.count, line[j] != 0x5D { j += 1 }  // ]
        return j < line.count ? (i + 1)..<j : nil
    }
}
