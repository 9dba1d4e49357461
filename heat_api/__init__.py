"""heat-api: the native REST API (falcon). It authenticates, validates and forwards to the engine."""
