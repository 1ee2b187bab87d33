"""Schema migrations owned by closeknit.api (see closeknit.store.migrations)."""

MIGRATIONS: list[tuple[str, str]] = []
