/// One SMTP session (connection) of a client on an ASSP worker, as far as its lines tell: its login and what it sent.
///
/// ASSP writes the login on AUTH lines that carry no message ID, and each message on lines that carry no login, and
/// neither carries the session ID (that is only on `Connected:`/`Disconnected:` lines). ``ASSPConnectionGroup``
/// keeps the sessions of one worker and client IP and decides which of them a message belongs to.
struct ASSPSession: Sendable, Equatable {
    /// What the AUTH lines said.
    enum Auth: UInt8, Sendable {
        /// No AUTH seen.
        case none = 0
        /// An AUTH command was logged; ASSP has not logged the answer (2.4.5 logs a success only with
        /// `ValidateUserLog >= 2`): taken as a success unless a failure comes.
        case pending = 1
        /// The server accepted it.
        case succeeded = 2
        /// The server refused it (a retry may follow in the same session).
        case failed = 3
    }

    /// ASSP's session ID (2.x `Connected: session:ID`), empty when not logged.
    var id: [UInt8] = []
    /// Opened by a `Connected:` line (else made up by an AUTH line while connections are not logged).
    var connected = false
    /// The AUTH state.
    var auth = Auth.none
    /// The login as logged (`AUTHLogUser`), checked and normalised; empty when ASSP did not log a usable one.
    var login: [UInt8] = []
    /// Whether a login line came for it (even one whose name could not be used).
    var named = false
    /// Whether its AUTH lines could as well have belonged to another session open at the same time.
    var guessed = false
    /// Messages charged to it.
    var messages: Int32 = 0
    /// The message ID of the last of them (1.x's `[DONE]` line names the session by it).
    var lastMessage: [UInt8] = []
    /// Log time of its last line.
    var lastActive: Int64

    init(id: [UInt8] = [], connected: Bool = false, lastActive: Int64) {
        self.id = id
        self.connected = connected
        self.lastActive = lastActive
    }

    /// Whether it logged in (a pending AUTH counts: its failure would have been logged).
    var isAuthenticated: Bool { auth == .pending || auth == .succeeded }

    /// What a message from it is charged to: its login, "authenticated, login unknown" (empty), or nil when it
    /// did not log in.
    var owner: [UInt8]? { isAuthenticated ? login : nil }

    func encode(to writer: inout CheckpointWriter) {
        writer.append(bytes: id)
        writer.append(UInt64(connected ? 1 : 0) | UInt64(named ? 2 : 0) | UInt64(guessed ? 4 : 0))
        writer.append(UInt64(auth.rawValue))
        writer.append(bytes: login)
        writer.append(UInt64(messages))
        writer.append(bytes: lastMessage)
        writer.append(signed: lastActive)
    }

    init(decoding reader: inout CheckpointReader) throws {
        id = try reader.bytes(max: [UInt8].maxKeyLength)
        let flags = try reader.unsigned(max: 7)
        connected = flags & 1 != 0
        named = flags & 2 != 0
        guessed = flags & 4 != 0
        guard let auth = Auth(rawValue: UInt8(try reader.unsigned(max: 3))) else { throw CheckpointReader.Failure() }
        self.auth = auth
        login = try reader.bytes(max: IdentityBytes.maxLength)
        messages = Int32(clamping: try reader.unsigned())
        lastMessage = try reader.bytes(max: [UInt8].maxKeyLength)
        lastActive = try reader.signed()
    }
}
