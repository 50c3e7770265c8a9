"""Where photo files live: a small interface (`PhotoStorage`) and its folder implementation.

Keys are made here (random, never from a person's file name), so a key can never name a path
outside the folder. A real object store can come later behind the same three methods.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app


class PhotoStorage(Protocol):
    """Put, get and delete photo bytes by key."""

    def put(self, data: bytes, suffix: str) -> str:
        """Store `data`; returns its new key."""

    def get(self, key: str) -> bytes | None:
        """The bytes stored under `key`, or None."""

    def delete(self, key: str) -> None:
        """Forget `key` (no error when it is gone)."""


class FolderStorage:
    """Photos as files in one folder, two levels of sub-folders by key prefix."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.replace("-", "").replace(".", "").isalnum() or ".." in key:
            raise ValueError("not a photo key")
        return self.root / key[:2] / key

    def put(self, data: bytes, suffix: str) -> str:
        key = f"{secrets.token_hex(16)}{suffix}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return key

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, key: str) -> None:
        with contextlib.suppress(ValueError):
            self._path(key).unlink(missing_ok=True)


def configured_storage() -> PhotoStorage:
    """The storage MEDIA_ROOT names."""
    return FolderStorage(current_app.config["MEDIA_ROOT"])
