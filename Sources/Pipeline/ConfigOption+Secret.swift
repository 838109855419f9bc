import Foundation

/// Declaring and reading secrets (passwords, tokens, webhook URLs) that the config names but never contains.
///
/// A secret option `KEY` is written as `KEY_env` (the name of an environment variable) or
/// `KEY_file` (a file whose content, without trailing line breaks, is the secret). The secret
/// itself never appears in an error message: errors name the JSON path, the variable or the
/// file, never the value.
extension ConfigOption where Value == Secret? {
    /// A secret option `key`, set as `key_env` (an environment variable) or `key_file` (a file whose content,
    /// without trailing line breaks, is the secret), at most one of them; `nil` when neither is set.
    ///
    /// `env` and `file` document the two keys. With `inline`, a plain `key` is accepted and documented too (for
    /// values that are usually not secret, such as a generic webhook URL); otherwise a plain `key` is a
    /// ``ConfigError`` that says to use `key_env` or `key_file`. A missing variable, an unreadable file, an empty
    /// value, or a value with CR, LF or NUL is a ``ConfigError`` at the key's path; no error shows the value.
    public static func secret(_ key: String, env: String, file: String, inline: String? = nil) -> ConfigOption {
        ConfigOption(specs: secretSpecs(key, env: env, file: file, inline: inline, required: false)) { reader in
            try readSecret(key, inline: inline != nil, from: &reader)
        }
    }

    /// The specs of a secret option: `key` (when inline values are allowed), `key_env`, `key_file`.
    static func secretSpecs(_ key: String, env: String, file: String, inline: String?, required: Bool) -> [OptionSpec] {
        var keys = inline.map { [(key, $0)] } ?? []
        keys += [(key + "_env", env), (key + "_file", file)]
        let names = keys.map(\.0)
        return keys.enumerated().map { index, entry in
            let absent = required && index == 0 ? "none (one of \(names.joined(separator: ", ")) is required)" : "none"
            return OptionSpec(entry.0, .string, default: .described(absent), entry.1)
        }
    }

    /// Reads `key`, `key_env` and `key_file`: the secret and the site of the key that gave it (of the first
    /// documented key when none did).
    static func readSecret(_ key: String, inline inlineAllowed: Bool, from reader: inout OptionsReader)
        throws -> (value: Secret?, site: OptionSite)
    {
        let envKey = key + "_env", fileKey = key + "_file"
        let context = reader.context
        let inline = inlineAllowed ? reader.lookup(key) : reader.peek(key)
        let env = try reader.site(of: envKey).locating { try reader.lookup(envKey).map { try String(optionValue: $0) } }
        let file = try reader.site(of: fileKey).locating { try reader.lookup(fileKey).map { try String(optionValue: $0) } }
        let given = [inline != nil ? key : nil, env != nil ? envKey : nil, file != nil ? fileKey : nil].compactMap { $0 }
        if given.count > 1 {
            throw ConfigError(reader.path(of: given[1]), "set only one of \(given.joined(separator: ", "))")
        }
        if let inline {
            let path = reader.path(of: key)
            guard inlineAllowed else {
                throw ConfigError(path, "secrets are not written in the config; name an environment variable with \"\(envKey)\" or a file with \"\(fileKey)\"")
            }
            guard case .string(let text) = inline else {
                throw ConfigError(path, "expected a string, found \(inline.kindDescription)")
            }
            try Secret.check(text, path: path, what: "the value")
            return (Secret(text, origin: .inline), reader.site(of: key))
        }
        if let env {
            let path = reader.path(of: envKey)
            return (Secret(try Secret.fromEnvironment(env, path: path, context: context), origin: .environment(env)),
                    reader.site(of: envKey))
        }
        if let file {
            let path = reader.path(of: fileKey)
            return (Secret(try Secret.fromFile(file, path: path, context: context), origin: .file(context.resolve(path: file))),
                    reader.site(of: fileKey))
        }
        return (nil, reader.site(of: inlineAllowed ? key : envKey))
    }
}

extension ConfigOption where Value == Secret {
    /// A secret option `key` that must be set (see ``ConfigOption/secret(_:env:file:inline:)``); `missing` says how,
    /// at the path of the first documented key.
    public static func requiredSecret(_ key: String, env: String, file: String, inline: String? = nil,
                                      missing: String) -> ConfigOption {
        ConfigOption(specs: ConfigOption<Secret?>.secretSpecs(key, env: env, file: file, inline: inline, required: true)) { reader in
            let (secret, site) = try ConfigOption<Secret?>.readSecret(key, inline: inline != nil, from: &reader)
            guard let secret else { throw ConfigError(site.path, missing) }
            return (secret, site)
        }
    }
}

extension Secret {
    /// Reads a secret reference written as a JSON value at `path`: `{"env": "NAME"}`,
    /// `{"file": "/path"}`, or (when `plainAllowed`) a plain string that is not secret.
    ///
    /// Used for maps of values such as webhook headers, where each entry may or may not be secret.
    public static func reference(_ value: JSONValue, path: String, context: PluginContext,
                                 plainAllowed: Bool = true) throws -> Secret {
        switch value {
        case .string(let text) where plainAllowed:
            try check(text, path: path, what: "the value", allowEmpty: true)
            return Secret(text, origin: .inline)
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
                return Secret(try fromEnvironment(name, path: "\(path).env", context: context), origin: .environment(name))
            case "file":
                return Secret(try fromFile(name, path: "\(path).file", context: context), origin: .file(context.resolve(path: name)))
            default:
                throw ConfigError("\(path).\(kind)", "unknown key '\(kind)'; expected \"env\" or \"file\"")
            }
        default:
            let expected = plainAllowed ? "a string, {\"env\": \"NAME\"} or {\"file\": \"/path\"}" : "{\"env\": \"NAME\"} or {\"file\": \"/path\"}"
            throw ConfigError(path, "expected \(expected), found \(value.kindDescription)")
        }
    }

    fileprivate static func fromEnvironment(_ name: String, path: String, context: PluginContext) throws -> String {
        guard !name.isEmpty else { throw ConfigError(path, "must not be empty") }
        guard let value = context.environment[name] else {
            throw ConfigError(path, "environment variable \(UntrustedText.display(name)) is not set; set it where mvpipe runs (the systemd unit's EnvironmentFile=, or a line \(UntrustedText.display(name))=... in the crontab), or keep the secret in a file and name it with the _file key")
        }
        try check(value, path: path, what: "environment variable \(UntrustedText.display(name))")
        return value
    }

    /// The largest secret file read (a token or a URL is far shorter).
    static let maximumSecretFileSize = 64 * 1024

    fileprivate static func fromFile(_ file: String, path: String, context: PluginContext) throws -> String {
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
        try check(text, path: path, what: "secret file \(UntrustedText.display(resolved))")
        return text
    }

    /// Rejects empty secrets and secrets with CR, LF or NUL (they would end a header or a command).
    fileprivate static func check(_ value: String, path: String, what: String, allowEmpty: Bool = false) throws {
        if value.isEmpty && !allowEmpty { throw ConfigError(path, "\(what) is empty") }
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw ConfigError(path, "\(what) contains a line break or NUL (only a trailing line break is ignored)")
        }
    }
}
