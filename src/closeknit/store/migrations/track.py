"""Schema migrations owned by closeknit.track (see closeknit.store.migrations)."""

MIGRATIONS: list[tuple[str, str]] = []
