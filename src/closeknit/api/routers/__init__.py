"""REST API routers, one module per resource, all under ``/api/v1``."""
