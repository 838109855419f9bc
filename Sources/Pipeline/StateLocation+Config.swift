import Foundation

/// Reading `"state"`: a string (a SQLite file), `{"type": "sqlite", "path": …}`, or
/// `{"type": "postgresql", "url_env": "NAME"}` / `{"type": "postgresql", "url_file": "/path"}`.
extension StateLocation {
    /// The SQLite file when the config says nothing.
    static let defaultPath = "/var/lib/mvpipe/state.sqlite"

    /// The `"state"` option.
    static let option = ConfigOption<StateLocation>(spec) { json, site in
        switch json {
        case nil: return .sqlite(path: defaultPath)
        case .string(let path)?: return try sqlite(path, site: site)
        case .object(let object)?: return try read(object, json: json!, site: site)
        case let other?: throw OptionError.type("a string (a SQLite file) or an object with \"type\"", other)
        }
    }

    private static let spec: OptionSpec = {
        OptionSpec("state", .custom(title: "string or object", schema: schema), default: .value(.string(defaultPath)),
                   "Where the state lives: a SQLite file (relative paths: from the config file's folder), the same as {\"type\": \"sqlite\", \"path\": …}; or {\"type\": \"postgresql\", \"url_env\": \"NAME\"} or \"url_file\" naming a postgresql://user:password@host:port/database?sslmode=… URL, a state that several relays share (each relay, named by \"host\", keeps its own counts and checkpoints; detectors see the sums). A SQLite state belongs to this config: give every config its own.")
    }()

    // The object forms' keys, declared once: the reader below checks them, the schema lists them.
    static let type = ConfigOption<String>.required("type", "The kind of store: \"sqlite\" or \"postgresql\".")
        .documented { $0.choices = ["sqlite", "postgresql"] }
    static let path = ConfigOption<String>.required("path", "The SQLite file (relative paths: from the config file's folder).").nonEmpty()
    static let url = ConfigOption<Secret>.requiredSecret(
        "url", env: "Environment variable holding the postgresql://user:password@host:port/database?sslmode=… URL.",
        file: "File holding that URL (only a trailing line break is ignored); readable by mvpipe only.",
        missing: "a PostgreSQL state needs its URL: name an environment variable with \"url_env\" or a file with \"url_file\"")
        .map { url, _ in try checkURL(url) }
    static let lease = ConfigOption("lease_seconds", default: 300, in: 1...86_400,
                                    "Seconds a relay's claim on an alert it is delivering lasts: a relay that dies while delivering leaves the alert to the others once this runs out (make it longer than a delivery can take).")

    static let sqliteSpecs = OptionSpec.list(type, path)
    static let timeout = ConfigOption("timeout_seconds", default: 30, in: 1...3_600,
                                      "Seconds mvpipe waits for the database to connect or answer one statement before the run fails with exit 75 (state unreachable), so a hung server does not hang cron.")
    static let postgresqlSpecs = OptionSpec.list(type, url, lease, timeout)

    private static func sqlite(_ path: String, site: OptionSite) throws -> StateLocation {
        guard !path.isEmpty else { throw OptionError("expected a file path, found an empty string") }
        return .sqlite(path: site.resolve(path: path))
    }

    private static func read(_ object: [String: JSONValue], json: JSONValue, site: OptionSite) throws -> StateLocation {
        let specs: [OptionSpec]
        switch object["type"] {
        case .string("sqlite")?: specs = sqliteSpecs
        case .string("postgresql")?: specs = postgresqlSpecs
        case .string(let other)?:
            throw OptionError("unknown state type '\(UntrustedText.display(other, limit: 60))'; expected \"sqlite\" or \"postgresql\"", at: ".type")
        case nil, .null?: throw OptionError("required: expected a string, \"sqlite\" or \"postgresql\"", at: ".type")
        case let other?: throw OptionError("expected a string, \"sqlite\" or \"postgresql\", found \(other.kindDescription)", at: ".type")
        }
        var reader = try OptionsReader(json, path: site.path, specs: specs, context: site.context)
        let kind = try reader.read(type)
        let location: StateLocation = kind == "sqlite"
            ? .sqlite(path: site.resolve(path: try reader.read(path)))
            : .postgresql(url: try reader.read(url), leaseSeconds: try reader.read(lease),
                          timeoutSeconds: try reader.read(timeout))
        try reader.finish()
        return location
    }

    /// Checks the shape of a PostgreSQL URL without ever showing it (it holds the password).
    static func checkURL(_ url: Secret) throws -> Secret {
        let what = "the URL in \(url.origin)"
        guard let parts = URLComponents(string: url.reveal), let scheme = parts.scheme?.lowercased() else {
            throw OptionError("\(what) is not a URL; expected postgresql://user:password@host:port/database (the value is not shown: it holds the password)")
        }
        guard scheme == "postgresql" || scheme == "postgres" else {
            throw OptionError("\(what) does not start with postgresql://; expected postgresql://user:password@host:port/database")
        }
        guard let host = parts.host, !host.isEmpty else {
            throw OptionError("\(what) names no host; expected postgresql://user:password@host:port/database")
        }
        guard let user = parts.user, !user.isEmpty else {
            throw OptionError("\(what) names no user; expected postgresql://user:password@host:port/database")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        guard !database.isEmpty, !database.contains("/") else {
            throw OptionError("\(what) names no database (or more than one path segment); expected postgresql://user:password@host:port/database")
        }
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value, sslModes.contains(mode) else {
                    throw OptionError("\(what) has an sslmode that is not one of \(sslModes.joined(separator: ", "))")
                }
            default:
                throw OptionError("\(what) has the parameter '\(UntrustedText.display(item.name, limit: 40))', which mvpipe does not read; only sslmode is read")
            }
        }
        return url
    }

    /// The `sslmode` values of libpq.
    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// The JSON Schema of `"state"`: a non-empty string, or one of the two object forms with exactly their keys.
    private static let schema: JSONValue = [
        "anyOf": [
            ["type": "string", "minLength": 1],
            [
                "type": "object",
                "properties": ["type": ["const": "sqlite"], "path": ["type": "string", "minLength": 1]],
                "required": ["type", "path"],
                "additionalProperties": false,
            ],
            [
                "type": "object",
                "properties": [
                    "type": ["const": "postgresql"],
                    "url_env": ["type": "string", "minLength": 1],
                    "url_file": ["type": "string", "minLength": 1],
                    "lease_seconds": ["type": "integer", "minimum": 1, "maximum": 86_400],
                    "timeout_seconds": ["type": "integer", "minimum": 1, "maximum": 3_600],
                ],
                "required": ["type"],
                "oneOf": [["required": ["url_env"]], ["required": ["url_file"]]],
                "additionalProperties": false,
            ],
        ],
    ]
}
