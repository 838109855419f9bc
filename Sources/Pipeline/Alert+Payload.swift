import Foundation

/// The form in which a store keeps an alert (the `payload` of the `alert` table and of `state export` lines):
/// JSON with sorted keys and dates in seconds since 1970. Every store writes and reads it alike, so an export of
/// one store imports into another.
extension Alert {
    /// The alert as stored: compact JSON, keys sorted.
    public func payload() throws -> String {
        String(decoding: try Self.payloadEncoder.encode(self), as: UTF8.self)
    }

    /// Reads an alert a store kept (see ``payload()``).
    public init(payload: String) throws {
        self = try Self.payloadDecoder.decode(Alert.self, from: Data(payload.utf8))
    }

    private static let payloadEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .secondsSince1970
        return e
    }()

    private static let payloadDecoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }()
}
