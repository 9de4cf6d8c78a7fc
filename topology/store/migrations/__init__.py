"""Alembic migrations of the store (run by topology.store.engine.migrate)."""
