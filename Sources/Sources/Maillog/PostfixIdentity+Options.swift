import Pipeline

extension PostfixIdentity {
    /// The counting options `postfix-log` and `postfix-journal` share (one parser, one set of rules, one way to set
    /// them): `identity`, `lowercase`, `max_in_flight`.
    static let countingSpecs: [OptionSpec] = [
        OptionSpec("identity", .string, default: "\"sasl_username\"", "Whom a message is charged to: \"sasl_username\" (the SASL login; mail without one does not count), \"sender\" (qmgr's from= address; bounces do not count) or \"client_ip\"."),
        OptionSpec("lowercase", .boolean, default: "true", "Lower-case identities (ASCII letters) so Bob@x and bob@x are one user."),
        OptionSpec("max_in_flight", .integer, default: "100000", "The most queue IDs remembered while waiting for their qmgr line (older ones are forgotten first)."),
    ]

    /// Reads and checks ``countingSpecs``.
    static func readCounting(_ reader: inout OptionsReader) throws -> (identity: PostfixIdentity, lowercase: Bool, maxInFlight: Int) {
        let name = try reader.string("identity") ?? PostfixIdentity.saslUsername.rawValue
        guard let identity = PostfixIdentity(rawValue: name) else {
            throw ConfigError(reader.path(of: "identity"), "expected one of \(PostfixIdentity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")); found '\(name)'")
        }
        return (identity, try reader.boolean("lowercase", default: true),
                try reader.integer("max_in_flight", default: 100_000, in: 1_000...10_000_000))
    }
}
