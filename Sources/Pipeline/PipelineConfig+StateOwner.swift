extension PipelineConfig {
    /// The owner this config's commands record in, and expect of, its state.
    public var stateOwner: StateOwner { StateOwner(host: hostName, config: configFile) }
}
