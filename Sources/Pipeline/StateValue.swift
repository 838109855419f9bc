import Foundation

/// One value of a state row, as stores and exports exchange it.
public enum StateValue: Sendable, Equatable {
    /// No value.
    case null
    /// A whole number.
    case integer(Int64)
    /// A floating-point number.
    case real(Double)
    /// Text.
    case text(String)
    /// Bytes.
    case blob(Data)
}
