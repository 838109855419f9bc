import Foundation
import Logging
@testable import Notifiers
import Pipeline
import Testing

@Suite("OptionsReader secrets")
struct SecretOptionsTests {
    private func read(_ object: [String: JSONValue], environment: [String: String] = [:], base: String = "/",
                      inlineAllowed: Bool = false) throws -> Secret? {
        let option = ConfigOption<Secret?>.secret("password", env: "The password's variable.", file: "The password's file.",
                                            inline: inlineAllowed ? "The password." : nil)
        let context = PluginContext(calendar: WorkCalendar(timeZone: TimeZone(identifier: "UTC")!), baseDirectory: base,
                                    environment: environment, logger: Logger(label: "test"), hostName: "h")
        var reader = try OptionsReader(.object(object), path: "$.notifiers[2]", specs: option.specs, context: context)
        return try reader.read(option)
    }

    private func error(_ body: () throws -> Any?) -> ConfigError? {
        do { _ = try body(); return nil } catch { return error as? ConfigError }
    }

    @Test func readsFromEnvironmentOrFile() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try "s3cret\r\n\n".write(toFile: dir.path("pw"), atomically: true, encoding: .utf8)
        let env = try read(["password_env": .string("PW")], environment: ["PW": "from-env"])
        #expect(env?.reveal == "from-env" && env?.origin == .environment("PW"))
        let file = try read(["password_file": .string("pw")], base: dir.url.path)
        #expect(file?.reveal == "s3cret" && file?.origin == .file(dir.path("pw")))
        #expect(try read([:]) == nil)
        #expect(try read(["password": .string("inline-ok")], inlineAllowed: true)?.origin == .inline)
    }

    @Test func errorsNameThePathButNeverTheValue() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try "line1\nline2-secret\n".write(toFile: dir.path("two"), atomically: true, encoding: .utf8)
        let missing = error { try read(["password_env": .string("NOPE")]) }
        #expect(missing?.path == "$.notifiers[2].password_env")
        #expect(missing?.message.contains("NOPE") == true)
        let unreadable = error { try read(["password_file": .string("/nonexistent/pw")]) }
        #expect(unreadable?.path == "$.notifiers[2].password_file")
        let folder = error { try read(["password_file": .string(dir.url.path)]) }
        #expect(folder?.path == "$.notifiers[2].password_file")
        let twoLines = error { try read(["password_file": .string(dir.path("two"))]) }
        #expect(twoLines?.path == "$.notifiers[2].password_file")
        #expect(twoLines?.message.contains("line2-secret") == false)
        let both = error { try read(["password_env": .string("A"), "password_file": .string("b")]) }
        #expect(both?.message.contains("only one") == true)
        let inline = error { try read(["password": .string("hunter2")]) }
        #expect(inline?.path == "$.notifiers[2].password")
        #expect(inline?.message.contains("hunter2") == false)
        let injected = error { try read(["password_env": .string("PW")], environment: ["PW": "a\r\nb"]) }
        #expect(injected?.path == "$.notifiers[2].password_env")
    }

    @Test func secretWrapperNeverPrintsItsValue() {
        let secret = Secret("top-secret-value", origin: .environment("X"))
        #expect("\(secret)" == "[redacted]")
        #expect(String(reflecting: secret) == "[redacted]")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("top-secret-value"))
        #expect(Redactor([secret]).scrub("error at top-secret-value/x") == "error at [redacted]/x")
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
