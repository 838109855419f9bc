import Detectors
import Notifiers
import Pipeline
import Sources

/// Every plugin compiled into this binary.
let builtinRegistry = Registry(
    sources: BuiltinSources.all,
    detectors: BuiltinDetectors.all,
    notifiers: BuiltinNotifiers.all
)
