"""Server-rendered web dashboard (Jinja2 + htmx, assets vendored under ``static/``)."""
