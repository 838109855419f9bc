import Testing
@testable import Notifiers

/// Which names may be one key of the Postfix map, and the shell word of the release hint.
@Suite struct PostfixMapKeyTests {
    @Test(arguments: [
        ("Alice@Example.ORG", "alice@example.org"),
        ("john.smith", "john.smith"),
        ("a'b$(id)`id`;@example.org", "a'b$(id)`id`;@example.org"),
        (String(repeating: "x", count: 308) + "@example.org", String(repeating: "x", count: 308) + "@example.org"),
    ])
    func acceptedNamesAreFoldedToASCIILowerCase(name: String, key: String) throws {
        #expect(try PostfixMapKey.key(for: name) == key)
    }

    @Test(arguments: [
        ("", "empty"), (String(repeating: "x", count: 309) + "@example.org", "more than the 320"),
        ("a\nb@example.org", "control"), ("a\rb", "control"), ("a\u{0}b", "control"), ("a\u{85}b", "control"),
        ("a\u{2028}b", "control"), ("a b", "whitespace"), ("a\u{3000}b", "whitespace"), ("#a@example.org", "'#'"),
        ("K\u{212A}@example.org", "outside ASCII"), ("user@", "'user@'"), ("@example.org", "'@domain'"),
        ("a@b@example.org", "more than one '@'"), ("<>", "null sender"), ("192.0.2.7", "IP address"),
        ("2001:db8::7", "IP address"),
    ])
    func refusedNamesSayWhy(name: String, reason: String) {
        #expect(throws: PostfixMapKey.Refusal.self) { try PostfixMapKey.key(for: name) }
        do {
            _ = try PostfixMapKey.key(for: name)
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    /// A sender map (`check_sender_access`) reads a key without `@` as a domain with its subdomains, or a local part:
    /// only whole addresses go there. SASL logins are looked up exactly, so `john.smith` is fine in a login map.
    @Test func senderMapsTakeOnlyWholeAddresses() throws {
        #expect(try PostfixMapKey.key(for: "Alice@Example.org", lookup: .sender) == "alice@example.org")
        for name in ["example.org", "john.smith", "postmaster"] {
            #expect(throws: PostfixMapKey.Refusal.self) { try PostfixMapKey.key(for: name, lookup: .sender) }
            #expect(try PostfixMapKey.key(for: name, lookup: .saslLogin) == name)
        }
    }

    @Test func shellWordsQuoteWhatAShellWouldRead() {
        #expect(PostfixMapKey.shellWord("alice@example.org") == "alice@example.org")
        #expect(PostfixMapKey.shellWord("a'b$(id)") == "'a'\\''b$(id)'")
        #expect(PostfixMapKey.shellWord("-x") == "'-x'")
        #expect(PostfixMapKey.shellWord("/etc/mvpipe/pipeline.json") == "/etc/mvpipe/pipeline.json")
    }
}
