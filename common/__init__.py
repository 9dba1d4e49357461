"""Parts shared by the APIs and the engine: config, context, errors, RPC, database."""
