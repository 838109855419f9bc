import Testing

/// Gives a suite one ``PostfixInstance`` (``PostfixInstance/current``) for all its tests, stopped after the last.
struct PostfixInstanceTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let instance = try PostfixInstance()
        defer { instance.stop() }
        try await PostfixInstance.$current.withValue(instance) { try await function() }
    }
}

extension Trait where Self == PostfixInstanceTrait {
    /// One private Postfix for the whole suite: `@Suite(.serialized, .postfixInstance)`; tests read it from
    /// ``PostfixInstance/current``. Put `.enabled(if: PostfixInstance.enabled, PostfixInstance.skipReason)` first.
    static var postfixInstance: Self { Self() }
}
