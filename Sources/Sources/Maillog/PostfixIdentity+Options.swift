import Pipeline

extension PostfixIdentity {
    /// The counting options `postfix-log` and `postfix-journal` share (one parser, one set of rules, one way to set
    /// them): each source lists and reads these declarations.
    enum Counting {
        static let identity = ConfigOption("identity", default: PostfixIdentity.saslUsername, "Whom a message is charged to: \"sasl_username\" (the SASL login; mail without one does not count), \"sender\" (qmgr's from= address; bounces do not count) or \"client_ip\".")
        static let lowercase = ConfigOption("lowercase", default: true, "Lower-case identities (ASCII letters) so Bob@x and bob@x are one user.")
        static let maxInFlight = ConfigOption("max_in_flight", default: 100_000, in: 1_000...10_000_000, "The most queue IDs remembered while waiting for their qmgr line (older ones are forgotten first).")
    }
}
