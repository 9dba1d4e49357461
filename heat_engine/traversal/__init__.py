"""Stack operations as graph traversals: plans, sync points and resource steps."""
