"""heat-api: the native REST API (falcon); authenticates, validates, forwards to the engine."""
