"""Rebuild Gladly's Contact Export report from raw events kept in an append-only store."""

__version__ = "0.1.0"
