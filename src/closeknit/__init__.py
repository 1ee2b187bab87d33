"""closeknit: discover, vet, plan, track and measure micro-influencer campaigns.

The public Python API lives here; the CLI, REST API and web pages are thin layers over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
