/// One relay's part of a user's mail on a day, when several relays share one state.
public struct RelayShare: Sendable, Equatable, Codable {
    /// The relay's name (its config's `host`).
    public var relay: String
    /// Messages the user sent through it that day.
    public var messages: Int

    /// Creates a share.
    public init(relay: String, messages: Int) {
        self.relay = relay
        self.messages = messages
    }
}
