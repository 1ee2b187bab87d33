"""Schema migrations owned by closeknit.match (see closeknit.store.migrations)."""

MIGRATIONS: list[tuple[str, str]] = []
