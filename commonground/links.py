"""Links that leave the request: absolute URLs for emails, and where to go after sign-in.

Absolute links are built from the configured PUBLIC_BASE_URL, never from the request's Host
header, so a forged `Host:` cannot put another domain into a password-reset email
(docs/field-notes.md, trap 14). A redirect target taken from the request (`?next=`) is kept
only when, after the normalisation a browser applies, it is still a path on this site.

Imports Flask only; no feature package.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

# Browsers drop tabs and line breaks from URLs and treat "\\" as "/": "/\t/evil.example" and
# "/\\evil.example" both lead off-site. Only printable ASCII without backslashes is kept (our
# own links are percent-encoded, and a Location header holds nothing else safely).
_UNSAFE_IN_TARGET = re.compile(r"[^\x21-\x7e]|\\")
MAX_TARGET_LENGTH = 2000


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` under PUBLIC_BASE_URL (scheme, host and any path prefix)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def same_site_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (never raises, whatever it holds)."""
    if not target or len(target) > MAX_TARGET_LENGTH or _UNSAFE_IN_TARGET.search(target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" that looks like an IPv6 host
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//"):
        return None
    return target
