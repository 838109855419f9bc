// swift-tools-version:6.0
import PackageDescription

/// `MVPIPE_WITHOUT_POSTGRES=1 swift build|test` builds mvpipe without the PostgreSQL state store, and so without
/// postgres-nio, SwiftNIO and BoringSSL: a "postgresql" state then fails (exit 74, saying so), and the tests that need
/// PostgreSQL are left out. CI's sanitized runs use it (see .ci/run); the plain `swift test` always has it.
let withPostgres = Context.environment["MVPIPE_WITHOUT_POSTGRES"] == nil
let postgresStore: [Target.Dependency] = withPostgres ? ["PostgresStore"] : []

let package = Package(
    name: "mvpipe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mvpipe", targets: ["mvpipe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ] + (withPostgres ? [
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
    ] : []),
    targets: [
        .target(
            name: "Pipeline",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The SQLite state store (one relay's state in one file); the CLI opens stores through StateStoreFactory.
        .target(
            name: "SQLiteStore",
            dependencies: [
                "Pipeline",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The PostgreSQL state store (a fleet of relays on one shared state); the CLI opens it through StateStoreFactory.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Pipeline",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libsystemd's sd-journal, for the postfix-journal source.
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(name: "Sources", dependencies: ["Pipeline", "CZlib", "CSystemd"]),
        .target(name: "Detectors", dependencies: ["Pipeline"]),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // posix_spawn_file_actions_addclosefrom_np, for running the mail program with nothing but stdin, stdout and stderr.
        .systemLibrary(name: "CSpawn", path: "Sources/CSpawn"),
        .target(name: "Notifiers", dependencies: ["Pipeline", "CCurl", "CSpawn"]),
        .executableTarget(
            name: "mvpipe",
            dependencies: [
                "Pipeline", "SQLiteStore", "Sources", "Detectors", "Notifiers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ] + postgresStore
        ),
        // Test doubles shared by the tests: an in-memory state store, a recording notifier, a fixed-data source.
        .target(name: "MVPipeTestSupport", dependencies: ["Pipeline"], path: "Tests/MVPipeTestSupport"),
        .testTarget(
            name: "MVPipeTests",
            dependencies: [
                "Pipeline", "SQLiteStore", "Sources", "Detectors", "Notifiers", "mvpipe", "MVPipeTestSupport",
                // Tests open the state file read-only to check it (integrity, recorded deliveries).
                .product(name: "GRDB", package: "GRDB.swift"),
            ] + (withPostgres ? [
                // Tests make a database per test in the throwaway cluster and look into the fleet's state.
                "PostgresStore", .product(name: "PostgresNIO", package: "postgres-nio"),
            ] : [])
        ),
    ],
    swiftLanguageModes: [.v6]
)

if !withPostgres {
    package.targets.removeAll { $0.name == "PostgresStore" }
}

// scripts/fuzz builds a libFuzzer driver over the log line parsers and the config decoder. The target exists only
// when MVPIPE_FUZZ is set, so `swift build` (debug or release) and `swift test` never see it.
if Context.environment["MVPIPE_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "mvpipe-fuzz",
        dependencies: [
            "Pipeline", "Sources", "Detectors", "Notifiers",
            .product(name: "Logging", package: "swift-log"),
        ],
        path: "Fuzz/MVPipeFuzz"
    ))
}
