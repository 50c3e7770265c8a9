"""Open311 GeoReport v2 error bodies.

Every GeoReport v2 error response is a list of errors, each with a `code` and a `description`:
`[{"code": 403, "description": "Invalid api_key"}]` in JSON, and
`<errors><error><code>403</code><description>Invalid api_key</description></error></errors>` in
XML. The HTTP status is the first error's code (400, 403, 404 ...).

Must not import Flask, SQLAlchemy or any Common Ground package except `open311`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from open311.formats import Format, render

__all__ = ["Open311Error", "error_body", "error_list"]


@dataclass(frozen=True, slots=True)
class ErrorItem:
    code: int
    description: str

    def to_dict(self) -> dict[str, int | str]:
        return {"code": self.code, "description": self.description}


class Open311Error(Exception):
    """An Open311 request that cannot be served; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions) or f"error {status}")
        self.status = status
        self.errors = tuple(ErrorItem(status, d) for d in descriptions or (f"error {status}",))

    @classmethod
    def bad_request(cls, *descriptions: str) -> Open311Error:
        return cls(400, *descriptions)

    @classmethod
    def forbidden(cls, description: str = "Invalid api_key") -> Open311Error:
        return cls(403, description)

    @classmethod
    def not_found(cls, description: str) -> Open311Error:
        return cls(404, description)


def error_list(errors: Iterable[ErrorItem | tuple[int, str]]) -> list[dict[str, int | str]]:
    """Errors as the spec's list of {code, description} objects."""
    items = (e if isinstance(e, ErrorItem) else ErrorItem(int(e[0]), str(e[1])) for e in errors)
    return [item.to_dict() for item in items]


def error_body(error: Open311Error, fmt: Format) -> tuple[bytes, str]:
    """(body, content type) for an error response in `fmt`."""
    return render("errors", error_list(error.errors), fmt)
