/// The open sessions of one client IP on one ASSP worker (2.x) or of one client IP (1.x, which logs no worker):
/// the unit ASSP's lines can be tied to, since AUTH and message lines carry the worker and client IP but no session.
///
/// - With `ConnectionLog`, `Connected:` lines open sessions and `Disconnected:` (2.x, by session ID) or `[DONE]`
///   (1.x, by the ID of the session's last message) lines close them.
/// - Without, an AUTH line that finds no session waiting for it makes one; a session that sent mail is taken to be
///   over when another AUTH comes, and any made-up session after ``impliedIdleSeconds`` without a line.
/// - An AUTH goes to the open session that has not logged in yet (or whose AUTH failed: a retry), the oldest first.
/// - A message goes to the one open session; when several are open and they differ in what the message would be
///   charged to, the attribution is **ambiguous**: it goes to a session whose login matches the message's sender
///   (`bob@example.org` or its local part `bob`), else to the oldest session that logged in and has not sent yet
///   (then the oldest that has not sent, then the last active), and the caller reports it.
struct ASSPConnectionGroup: LedgerEntry, Equatable {
    /// A made-up session (no `Connected:` line) with no line for this long is taken to be over. ASSP drops a
    /// client idle for `smtpIdleTimeout` (180 s by default) between commands; an hour leaves room for slow uploads.
    static let impliedIdleSeconds: Int64 = 3_600
    /// A logged connection with no line for this long is taken to be over (its `Disconnected:` line was lost).
    static let connectedIdleSeconds: Int64 = 12 * 3_600
    /// At most this many sessions are kept per worker and client IP; beyond, the oldest are dropped.
    static let maxSessions = 64

    /// Log time of the last line, for ageing.
    var stamp: Int64
    /// Unused: the logins are kept as bytes in the sessions.
    var user: Int32 = -1
    /// Open sessions, oldest first.
    var sessions: [ASSPSession] = []

    init(stamp: Int64) {
        self.stamp = stamp
    }

    var isEmpty: Bool { sessions.isEmpty }

    // MARK: connections

    /// A `Connected:` line: a new session (made-up sessions that sent mail or failed to log in are over).
    mutating func open(session id: [UInt8], at time: Int64) {
        touch(time)
        sessions.removeAll { !$0.connected && ($0.messages > 0 || !$0.isAuthenticated) }
        append(ASSPSession(id: id, connected: true, lastActive: time))
    }

    /// A `Disconnected:` line (by ASSP's session ID) or 1.x `[DONE]` line (by the ID of its last message, if any).
    mutating func close(session id: [UInt8], lastMessage: [UInt8], at time: Int64) {
        touch(time)
        if !id.isEmpty {
            sessions.removeAll { $0.id == id }
            return
        }
        if !lastMessage.isEmpty, let k = sessions.firstIndex(where: { $0.lastMessage == lastMessage }) {
            sessions.remove(at: k)
        } else if let k = sessions.firstIndex(where: { $0.connected && $0.messages == 0 })
                    ?? sessions.firstIndex(where: { $0.connected }) {
            sessions.remove(at: k)
        }
    }

    // MARK: AUTH

    /// An AUTH command: the session it belongs to, now waiting for the answer.
    @discardableResult
    mutating func beginAuth(at time: Int64) -> Int {
        touch(time)
        let free = sessions.indices.filter { sessions[$0].auth == .none || (sessions[$0].auth == .failed && sessions[$0].messages == 0) }
        let k: Int
        if let oldest = free.first(where: { sessions[$0].auth == .none }) ?? free.last {
            k = oldest
        } else {
            // No session waiting for an AUTH: connections are not logged (or its Connected line was not read).
            sessions.removeAll { !$0.connected && $0.messages > 0 }
            append(ASSPSession(lastActive: time))
            k = sessions.count - 1
        }
        sessions[k].auth = .pending
        sessions[k].login = []
        sessions[k].named = false
        sessions[k].guessed = free.count > 1
        sessions[k].lastActive = time
        return k
    }

    /// A login line: the name goes to the newest session whose AUTH has no name yet. `login` is empty when the
    /// logged name is not usable.
    mutating func name(_ login: [UInt8], at time: Int64) {
        let k = sessions.lastIndex(where: { $0.auth == .pending && !$0.named }) ?? beginAuth(at: time)
        sessions[k].login = login
        sessions[k].named = true
        sessions[k].lastActive = time
        touch(time)
    }

    /// The server's answer to the newest AUTH waiting for one.
    mutating func answer(succeeded: Bool, at time: Int64) {
        let k = sessions.lastIndex(where: { $0.auth == .pending }) ?? beginAuth(at: time)
        sessions[k].auth = succeeded ? .succeeded : .failed
        sessions[k].lastActive = time
        touch(time)
    }

    /// An error reply (`[SMTP Error] 535 ...`): a failed AUTH when one is waiting for its answer; returns whether.
    mutating func refuseWaitingAuth(at time: Int64) -> Bool {
        guard let k = sessions.lastIndex(where: { $0.auth == .pending }) else { return false }
        sessions[k].auth = .failed
        sessions[k].lastActive = time
        touch(time)
        return true
    }

    /// A line of a mail transaction (MAIL FROM was accepted): with one session open, its AUTH succeeded.
    mutating func transaction(at time: Int64) {
        touch(time)
        if sessions.count == 1 && sessions[0].auth == .pending { sessions[0].auth = .succeeded }
    }

    // MARK: messages

    /// Which session sent the message `id` from `sender` (lower-cased), charged to it; nil when none is open.
    /// `ambiguous` when several were open whose ``ASSPSession/owner`` (or, with `byLogin` false, whether they
    /// logged in) differ; `involved` then lists their logins.
    mutating func attribute(message id: [UInt8], from sender: [UInt8], at time: Int64, byLogin: Bool)
        -> (session: ASSPSession, ambiguous: Bool, involved: [[UInt8]])? {
        touch(time)
        guard !sessions.isEmpty else { return nil }
        var ambiguous = false
        var involved: [[UInt8]] = []
        let k: Int
        if sessions.count == 1 {
            k = 0
            ambiguous = sessions[0].guessed
            if ambiguous { involved = [sessions[0].login] }
        } else {
            let owners = sessions.map { byLogin ? $0.owner : ($0.isAuthenticated ? [] : nil) }
            ambiguous = Set(owners.map { $0.map { [1] + $0 } ?? [0] }).count > 1
            if ambiguous {
                for s in sessions where s.isAuthenticated && !involved.contains(s.login) { involved.append(s.login) }
            }
            let matching = sessions.indices.filter { sessions[$0].isAuthenticated && Self.login(sessions[$0].login, matches: sender) }
            k = matching.first { sessions[$0].messages == 0 } ?? matching.first
                ?? sessions.indices.first { sessions[$0].isAuthenticated && sessions[$0].messages == 0 }
                ?? sessions.indices.first { sessions[$0].messages == 0 }
                ?? sessions.indices.max { sessions[$0].lastActive < sessions[$1].lastActive }!
        }
        sessions[k].messages += 1
        sessions[k].lastMessage = id
        sessions[k].lastActive = time
        if sessions[k].auth == .pending { sessions[k].auth = .succeeded }
        return (sessions[k], ambiguous, involved)
    }

    /// Whether `login` is the sender (`bob@example.org`) or its local part (`bob`), ASCII case ignored.
    static func login(_ login: [UInt8], matches sender: [UInt8]) -> Bool {
        guard !login.isEmpty, !sender.isEmpty else { return false }
        func lower(_ b: UInt8) -> UInt8 { (0x41...0x5A).contains(b) ? b + 32 : b }
        let name = login.map(lower), address = sender.map(lower)
        if name == address { return true }
        guard let at = address.lastIndex(of: 0x40) else { return false }
        return name == Array(address[..<at])
    }

    // MARK: upkeep

    /// Notes a line at `time`, and drops sessions idle for too long.
    private mutating func touch(_ time: Int64) {
        if time > stamp { stamp = time }
        sessions.removeAll {
            time - $0.lastActive > ($0.connected ? Self.connectedIdleSeconds : Self.impliedIdleSeconds)
        }
    }

    private mutating func append(_ session: ASSPSession) {
        sessions.append(session)
        if sessions.count > Self.maxSessions { sessions.removeFirst(sessions.count - Self.maxSessions) }
    }

    // MARK: checkpoint

    func encode(to writer: inout CheckpointWriter, user: Int64) {
        writer.append(signed: stamp)
        writer.append(UInt64(sessions.count))
        for session in sessions { session.encode(to: &writer) }
    }

    init(decoding reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws {
        stamp = try reader.signed()
        let count = try reader.int(max: Self.maxSessions)
        for _ in 0..<count { sessions.append(try ASSPSession(decoding: &reader)) }
    }
}
