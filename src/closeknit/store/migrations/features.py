"""Schema migrations owned by closeknit.features (see closeknit.store.migrations)."""

MIGRATIONS: list[tuple[str, str]] = []
