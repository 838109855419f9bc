import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe schema`: the JSON Schema of the config, for editors.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print a JSON Schema of the whole config (every plugin's options, types, defaults, descriptions)."
    )

    func run() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try CLI.printOut(String(decoding: try encoder.encode(ConfigSchema.make(builtinRegistry)), as: UTF8.self))
    }
}
