import Foundation

/// Reading secrets (passwords, tokens, webhook URLs) that the config names but never contains.
///
/// A secret option `KEY` is written as `KEY_env` (the name of an environment variable) or
/// `KEY_file` (a file whose content, without trailing line breaks, is the secret). The secret
/// itself never appears in an error message: errors name the JSON path, the variable or the
/// file, never the value.
extension OptionsReader {
    /// Where a secret came from, for `description` and messages (never the value itself).
    public enum SecretOrigin: Sendable, Equatable, CustomStringConvertible {
        /// The environment variable of that name.
        case environment(String)
        /// The file at that (resolved) path.
        case file(String)
        /// Written inline in the config (only for options that are not secret).
        case inline

        public var description: String {
            switch self {
            case .environment(let name): "$\(name)"
            case .file(let path): "file \(path)"
            case .inline: "the config"
            }
        }
    }

    /// Reads the secret `key` from `key_env` or `key_file` (exactly one of them).
    ///
    /// With `inlineAllowed`, a plain `key` is accepted too (for values that are usually not
    /// secret, such as a generic webhook URL); otherwise a plain `key` is a ``ConfigError``
    /// that says to use `key_env` or `key_file`. A missing variable, an unreadable file, an
    /// empty value, or a value with CR, LF or NUL is a ``ConfigError`` at the option's path.
    ///
    /// - Returns: The value and where it came from, or `nil` when none of the keys is set.
    public mutating func secret(_ key: String, context: PluginContext, inlineAllowed: Bool = false)
        throws -> (value: String, origin: SecretOrigin)?
    {
        let envKey = key + "_env", fileKey = key + "_file"
        let inline = value(key)
        let env = try string(envKey)
        let file = try string(fileKey)
        let given = [inline != nil ? key : nil, env != nil ? envKey : nil, file != nil ? fileKey : nil].compactMap { $0 }
        if given.count > 1 {
            throw ConfigError(path(of: given[1]), "set only one of \(given.joined(separator: ", "))")
        }
        if let inline {
            guard inlineAllowed else {
                throw ConfigError(path(of: key), "secrets are not written in the config; name an environment variable with \"\(envKey)\" or a file with \"\(fileKey)\"")
            }
            guard case .string(let text) = inline else {
                throw ConfigError(path(of: key), "expected a string, found \(inline.kindDescription)")
            }
            try Self.checkSecret(text, path: path(of: key), what: "the value")
            return (text, .inline)
        }
        if let env {
            return (try Self.secretFromEnvironment(env, path: path(of: envKey), context: context), .environment(env))
        }
        if let file {
            let resolved = context.resolve(path: file)
            return (try Self.secretFromFile(file, path: path(of: fileKey), context: context), .file(resolved))
        }
        return nil
    }

    /// Resolves a secret reference written as a JSON value at `path`: `{"env": "NAME"}`,
    /// `{"file": "/path"}`, or (when `plainAllowed`) a plain string that is not secret.
    ///
    /// Used for maps of values such as webhook headers, where each entry may or may not be secret.
    public static func secretReference(_ value: JSONValue, path: String, context: PluginContext,
                                       plainAllowed: Bool = true) throws -> (value: String, origin: SecretOrigin) {
        switch value {
        case .string(let text) where plainAllowed:
            try checkSecret(text, path: path, what: "the value", allowEmpty: true)
            return (text, .inline)
        case .object(let object):
            let keys = object.keys.sorted()
            guard keys.count == 1, let kind = keys.first else {
                throw ConfigError(path, "expected {\"env\": \"NAME\"} or {\"file\": \"/path\"}, found an object with keys \(keys.joined(separator: ", "))")
            }
            guard case .string(let name)? = object[kind], !name.isEmpty else {
                throw ConfigError("\(path).\(kind)", "expected a non-empty string")
            }
            switch kind {
            case "env":
                return (try secretFromEnvironment(name, path: "\(path).env", context: context), .environment(name))
            case "file":
                return (try secretFromFile(name, path: "\(path).file", context: context), .file(context.resolve(path: name)))
            default:
                throw ConfigError("\(path).\(kind)", "unknown key '\(kind)'; expected \"env\" or \"file\"")
            }
        default:
            let expected = plainAllowed ? "a string, {\"env\": \"NAME\"} or {\"file\": \"/path\"}" : "{\"env\": \"NAME\"} or {\"file\": \"/path\"}"
            throw ConfigError(path, "expected \(expected), found \(value.kindDescription)")
        }
    }

    private static func secretFromEnvironment(_ name: String, path: String, context: PluginContext) throws -> String {
        guard !name.isEmpty else { throw ConfigError(path, "must not be empty") }
        guard let value = context.environment[name] else {
            throw ConfigError(path, "environment variable \(UntrustedText.display(name)) is not set")
        }
        try checkSecret(value, path: path, what: "environment variable \(UntrustedText.display(name))")
        return value
    }

    /// The largest secret file read (a token or a URL is far shorter).
    static let maximumSecretFileSize = 64 * 1024

    private static func secretFromFile(_ file: String, path: String, context: PluginContext) throws -> String {
        guard !file.isEmpty else { throw ConfigError(path, "must not be empty") }
        let resolved = context.resolve(path: file)
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.contents(of: resolved, limit: maximumSecretFileSize)
        } catch {
            throw ConfigError(path, "cannot read secret file \(UntrustedText.display(resolved)): \(error.reason)")
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(path, "secret file \(UntrustedText.display(resolved)) is not UTF-8 text")
        }
        while let last = text.unicodeScalars.last, last == "\n" || last == "\r" {
            text.unicodeScalars.removeLast()
        }
        try checkSecret(text, path: path, what: "secret file \(UntrustedText.display(resolved))")
        return text
    }

    /// Rejects empty secrets and secrets with CR, LF or NUL (they would end a header or a command).
    private static func checkSecret(_ value: String, path: String, what: String, allowEmpty: Bool = false) throws {
        if value.isEmpty && !allowEmpty { throw ConfigError(path, "\(what) is empty") }
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw ConfigError(path, "\(what) contains a line break or NUL (only a trailing line break is ignored)")
        }
    }
}
