"""Resource plugins: the base class, schemas, the type registry and one module per type."""
