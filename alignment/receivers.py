"""The one place alignment learns of catalog changes."""

from __future__ import annotations
