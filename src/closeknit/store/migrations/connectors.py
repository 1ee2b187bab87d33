"""Schema migrations owned by closeknit.connectors (see closeknit.store.migrations)."""

MIGRATIONS: list[tuple[str, str]] = []
