import Foundation

/// A flag several threads may set and clear: whether a store's run lock is taken.
final class HeldFlag: @unchecked Sendable {
    // @unchecked: `value` is only touched with `lock` held.
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; false when it was already set.
    func take() -> Bool {
        lock.withLock {
            if value { return false }
            value = true
            return true
        }
    }

    /// Whether it is set.
    var isSet: Bool { lock.withLock { value } }

    /// Clears it.
    func clear() {
        lock.withLock { value = false }
    }
}
