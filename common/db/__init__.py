"""Database models, sessions and named queries per aggregate."""
