"""Open311 GeoReport v2 wire formats: rendering to JSON and XML, and parsing what others send.

GeoReport v2 shapes (open311.org, GeoReport v2): every list response - services, service
requests, the answer to POST requests, a token look-up, a single request, errors - is a
top-level array in JSON and, in XML, a root element holding one child per item:

    services          -> <services><service>...</service></services>
    service_requests  -> <service_requests><request>...</request></service_requests>
    errors            -> <errors><error><code>.</code><description>.</description></error></errors>

A service definition and the discovery document are single objects (<service_definition>,
<discovery>). Ids and codes are strings; datetimes are ISO 8601 with a zone; XML is UTF-8 with
its declaration. Nested lists use the spec's singular child names (attributes/attribute,
values/value, endpoints/endpoint, formats/format).

Parsing refuses XML with a DOCTYPE (no entity tricks); keyword lists are normalised (split on
commas, trimmed) because real files differ in spacing ("garbage,debris" / "garbage, debris").

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

__all__ = [
    "CONTENT_TYPES",
    "LIST_ITEM_TAGS",
    "Open311FormatError",
    "ServiceInfo",
    "parse_list",
    "parse_services",
    "render",
    "render_json",
    "render_xml",
]

Format = Literal["json", "xml"]

CONTENT_TYPES: dict[str, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# List document root -> the element each item is wrapped in.
LIST_ITEM_TAGS: dict[str, str] = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
}
# Nested list field -> the element each of its items is wrapped in.
NESTED_ITEM_TAGS: dict[str, str] = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "keywords": "keyword",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311FormatError(ValueError):
    """A document that is not the GeoReport v2 shape it should be."""


# -- rendering --------------------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def render_json(payload: Any) -> bytes:
    """A list (or, for service_definition/discovery, an object) as UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, default=_json_default).encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _XML_INVALID.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, str(key)), child)
    elif isinstance(value, list | tuple):
        tag = NESTED_ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def render_xml(root: str, payload: Any) -> bytes:
    """`payload` under `<root>`: a list becomes one child per item (LIST_ITEM_TAGS), an object
    becomes child elements. UTF-8 with the XML declaration; text is escaped by ElementTree."""
    element = ET.Element(root)
    if isinstance(payload, list | tuple):
        tag = LIST_ITEM_TAGS.get(root) or NESTED_ITEM_TAGS.get(root, "item")
        for item in payload:
            _fill(ET.SubElement(element, tag), item)
    else:
        _fill(element, payload)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def render(root: str, payload: Any, fmt: Format) -> tuple[bytes, str]:
    """(body, content type) of `payload` in `fmt`; `root` names the XML document element."""
    if fmt == "json":
        return render_json(payload), CONTENT_TYPES["json"]
    if fmt == "xml":
        return render_xml(root, payload), CONTENT_TYPES["xml"]
    raise Open311FormatError(f"unknown format {fmt!r} (json or xml)")


# -- parsing ----------------------------------------------------------------------------------
def _xml_root(data: bytes | str) -> ET.Element:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise Open311FormatError("XML with a DOCTYPE or entity declarations is refused")
    try:
        return ET.fromstring(raw)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except ET.ParseError as error:
        raise Open311FormatError(f"not well-formed XML: {error}") from error


def _element_value(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    tags = {child.tag for child in children}
    if (len(children) > 1 and len(tags) == 1) or element.tag in NESTED_ITEM_TAGS:
        return [_element_value(child) for child in children]
    return {child.tag: _element_value(child) for child in children}


def parse_list(data: bytes | str, fmt: Format, root: str) -> list[dict[str, Any]]:
    """The items of a GeoReport v2 list document (`root` is e.g. "service_requests").

    JSON values keep their JSON types; XML values are strings (nested lists become lists).
    """
    if fmt == "json":
        try:
            document = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise Open311FormatError(f"not JSON: {error}") from error
        if not isinstance(document, list) or not all(isinstance(i, dict) for i in document):
            raise Open311FormatError(f"{root}: expected a top-level array of objects")
        return document
    if fmt == "xml":
        element = _xml_root(data)
        if element.tag != root:
            raise Open311FormatError(f"expected <{root}>, found <{element.tag}>")
        tag = LIST_ITEM_TAGS.get(root, "item")
        items = []
        for child in element:
            if child.tag != tag:
                raise Open311FormatError(f"<{root}> holds <{child.tag}>, expected <{tag}>")
            items.append({sub.tag: _element_value(sub) for sub in child})
        return items
    raise Open311FormatError(f"unknown format {fmt!r} (json or xml)")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _keywords(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    parts: Iterable[Any] = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(word for part in parts if (word := str(part).strip()))


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """One entry of a GeoReport v2 service list, normalised."""

    service_code: str
    service_name: str
    description: str = ""
    metadata: bool = False
    type: str = "realtime"
    keywords: tuple[str, ...] = ()
    group: str = ""

    @classmethod
    def from_mapping(cls, item: Mapping[str, Any]) -> ServiceInfo:
        code = item.get("service_code")
        if code is None or str(code).strip() == "":
            raise Open311FormatError("a service without a service_code")
        return cls(
            service_code=str(code).strip(),
            service_name=str(item.get("service_name") or "").strip(),
            description=str(item.get("description") or "").strip(),
            metadata=_bool(item.get("metadata", False)),
            type=str(item.get("type") or "realtime").strip(),
            keywords=_keywords(item.get("keywords")),
            group=str(item.get("group") or "").strip(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The spec's shape: keywords as one comma-separated string."""
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "metadata": self.metadata,
            "type": self.type,
            "keywords": ",".join(self.keywords),
            "group": self.group,
        }


def parse_services(data: bytes | str, fmt: Format) -> list[ServiceInfo]:
    """A GeoReport v2 service list (JSON or XML) as `ServiceInfo`s."""
    return [ServiceInfo.from_mapping(item) for item in parse_list(data, fmt, "services")]
