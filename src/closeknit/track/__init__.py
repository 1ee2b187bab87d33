"""Campaigns and relationships, codes and links, orders and webhooks, attribution and ROAS.

Submodules are imported on use (``closeknit.track.campaigns``, ``.codes``, ``.attribution``,
``.webhook``, ``.roas``, ``.outreach``); lift estimates live in ``closeknit.track.lift``.
"""
