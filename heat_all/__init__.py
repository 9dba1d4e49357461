"""heat-all: both APIs and the engine in one process, for a working Heat in one command."""
