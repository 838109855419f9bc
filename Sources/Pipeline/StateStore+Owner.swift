import Foundation

extension StateStore {
    /// Records `owner` as the state's owner when it has none; throws ``ConfigError`` (exit 78), recording nothing,
    /// when another config owns it. For every command that runs the pipeline or changes the state.
    public func claim(for owner: StateOwner, state: StateLocation) throws {
        // A read on every run; the write only on the first (or when another command got there meanwhile).
        if try self.owner() == nil, try recordOwner(owner, ifCurrent: nil) { return }
        try requireOwner(owner, state: state)
    }

    /// Throws ``ConfigError`` when another config owns the state; records nothing (for commands that only read).
    public func requireOwner(_ owner: StateOwner, state: StateLocation) throws {
        if let current = try self.owner(), current != owner {
            throw owner.refusal(ownedBy: current, state: state)
        }
    }
}
