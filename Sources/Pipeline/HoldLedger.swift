import Foundation

/// The part of the state that records containment: which accounts are on hold, and what each action did about each
/// alert. Every ``StateStore`` conforms (in its `+Holds.swift` file), so holds work on every backend and are shared by
/// the relays of a fleet.
public protocol HoldLedger: Sendable {
    /// Holds of `action` (of every action when nil), oldest first: those in force, and released ones too when
    /// `includeReleased`.
    func holds(action: String?, includeReleased: Bool) throws -> [Hold]
    /// Saves holds in one transaction: one in force for the same action and key is updated (alert, day, messages),
    /// any other is added.
    func recordHolds(_ holds: [Hold]) throws
    /// Releases the holds in force of `keys` (of every action when `action` is nil) in one transaction; returns
    /// the holds released.
    func releaseHolds(keys: [String], action: String?, at date: Date, by who: String) throws -> [Hold]
    /// Stores `text` as what `action` did about alert `alertID` (``Alert/containment``), so every notifier, and
    /// every retry, shows the same words.
    func recordContainment(_ text: String, action: String, alertID: Int64) throws
}

extension StateStore {
    /// The store's ``HoldLedger``; every store of mvpipe is one.
    public var holdLedger: (any HoldLedger)? { self as? any HoldLedger }
}
