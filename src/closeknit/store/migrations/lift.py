"""Schema migrations owned by closeknit.lift (see closeknit.store.migrations)."""

MIGRATIONS: list[tuple[str, str]] = []
