/// A store of one relay has no shares to tell.
extension StateStore {
    /// Per relay, `user`'s messages on `day`, most first: empty for a store of one relay.
    public func relayShares(user: String, day: Day) throws -> [RelayShare] { [] }
}
