"""RPC between the APIs and the engines over kombu (AMQP or in-memory)."""
