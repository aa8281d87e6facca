"""The Rasa domain as tests read it: every file under ``domain/`` merged as Rasa merges them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_DIR = ROOT / "domain"


def domain_yaml() -> dict[str, Any]:
    """Raw YAML of all domain files: mappings merged key by key, lists concatenated."""
    merged: dict[str, Any] = {}
    for path in sorted(DOMAIN_DIR.rglob("*.yml")):
        part = yaml.safe_load(path.read_text()) or {}
        for key, value in part.items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged
