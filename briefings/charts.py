"""SVG charts and maps drawn on the server: bar charts, line charts, an area map and the QR code
of a sign-up address.

Pure functions from plain numbers to SVG markup, so a briefing's PDF needs no map tiles and no
JavaScript. Text is never cut: labels wrap onto more lines (their column is as wide as the
longest needs, up to a share of the chart), and a word too long for any line is shortened with
its full text kept as the element's tooltip. Every piece of text is escaped here; the result
is safe to insert into HTML as is. Colours come from SVG presentation attributes (no `style=`),
which a strict Content-Security-Policy allows.

Must not import: Flask, SQLAlchemy, or any Common Ground package (segno draws the QR code).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import segno

PALETTE = ("#0b5cad", "#d9730d", "#176b2c", "#8a2be2", "#a4121b", "#4a5560")
POINT_COLOURS = {"suggested": "#d9730d", "open": "#0b5cad", "done": "#176b2c", "gap": "#a4121b"}
FONT = "DejaVu Sans, Arial, sans-serif"
CHAR_EM = 0.62
"""A character's width as a share of the font size: DejaVu Sans's widest common letters (capitals
and w, m) are wider, its narrow ones (i, l, t) narrower; text measured with this is not wider
than estimated in real labels (lowercase words with a capital start)."""


def text_width(text: str, size: float) -> float:
    """The estimated width in pixels of `text` set at `size` px in the charts' font."""
    return len(text) * size * CHAR_EM


def wrap_label(text: str, size: float, width: float) -> list[str]:
    """`text` broken at spaces and hyphens into lines no wider than `width`; a word longer than a
    line is shortened with an ellipsis (the caller keeps the full text as a tooltip)."""
    most = max(1, int(width // (size * CHAR_EM)))
    words = [w for w in text.replace("-", "- ").split(" ") if w]
    lines: list[str] = []
    for word in words:
        if len(word) > most:
            word = word[: most - 1] + "…"
        joiner = "" if lines and lines[-1].endswith("-") else " "
        if lines and len(lines[-1]) + len(joiner.strip()) + len(word) + (joiner == " ") <= most:
            lines[-1] = f"{lines[-1]}{joiner}{word}".replace("- ", "-")
        else:
            lines.append(word)
    return lines or [""]


def _num(value: float) -> str:
    """A coordinate with at most one decimal, without a trailing '.0'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _fmt(value: float) -> str:
    """A value label: whole numbers without decimals, others with one."""
    return str(round(value)) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _open(width: int, height: int, title: str) -> list[str]:
    label = escape(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
    ]


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^n that is at least `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 560,
    bar_height: int = 18,
    label_width: int | None = None,
    font_size: int = 12,
) -> str:
    """A horizontal bar chart: one labelled bar per (label, value), value printed at its end.

    The label column is as wide as the longest label needs (at most 45 % of the chart; longer
    labels wrap onto more lines, and their row grows to hold them)."""
    gap = 6
    top = 8
    line_height = font_size + 2
    if label_width is None:
        widest = max((text_width(label, font_size) for label, _ in bars), default=0)
        label_width = int(min(max(widest + 12, 80), width * 0.45))
    wrapped = [wrap_label(label, font_size, label_width - 12) for label, _ in bars]
    rows = [max(bar_height, len(lines) * line_height + 4) for lines in wrapped]
    height = top * 2 + (sum(r + gap for r in rows) if bars else bar_height + gap)
    parts = _open(width, height, title)
    if not bars:
        parts.append(
            f'<text x="8" y="{top + bar_height}" font-family="{FONT}" font-size="12" '
            f'fill="#4a5560">Nothing to show.</text>'
        )
        return "".join(parts) + "</svg>"
    top_value = nice_max(max(value for _, value in bars))
    span = width - label_width - 60
    y = top
    for (label, value), lines, row in zip(bars, wrapped, rows, strict=True):
        length = span * max(0.0, value) / top_value
        bar_y = y + (row - bar_height) / 2
        first = y + (row - len(lines) * line_height) / 2 + font_size
        if len(lines) == 1 and lines[0] == label:
            text = escape(label)
        else:
            text = f"<title>{escape(label)}</title>" + "".join(
                f'<tspan x="{label_width - 6}" y="{_num(first + i * line_height)}">'
                f"{escape(line)}</tspan>"
                for i, line in enumerate(lines)
            )
        parts.append(
            f'<text class="label" x="{label_width - 6}" y="{_num(first)}" '
            f'text-anchor="end" font-family="{FONT}" font-size="{font_size}" fill="#1b1f23">'
            f"{text}</text>"
            f'<rect class="bar" x="{label_width}" y="{_num(bar_y)}" width="{_num(length)}" '
            f'height="{bar_height}" fill="{PALETTE[0]}"/>'
            f'<text x="{_num(label_width + length + 4)}" '
            f'y="{_num(bar_y + bar_height * 0.75)}" '
            f'font-family="{FONT}" font-size="{font_size}" fill="#1b1f23">{_fmt(value)}</text>'
        )
        y += row + gap
    return "".join(parts) + "</svg>"


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    width: int = 560,
    height: int = 240,
) -> str:
    """A line chart over `labels` (e.g. months), one polyline per (name, values) with a legend."""
    # The first and last labels are centred on the plot's ends: room for half of each.
    left = max(40, math.ceil(text_width(labels[0], 11) / 2) + 4) if labels else 40
    right = max(12, math.ceil(text_width(labels[-1], 11) / 2) + 4) if labels else 12
    top, bottom = 12, 52
    parts = _open(width, height, title)
    values = [v for _, vs in series for v in vs]
    top_value = nice_max(max(values, default=0))
    plot_w = width - left - right
    plot_h = height - top - bottom
    step = plot_w / max(1, len(labels) - 1)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * max(0.0, value) / top_value

    for tick in (0.0, top_value / 2, top_value):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
            f'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{_num(y + 4)}" text-anchor="end" font-family="{FONT}" '
            f'font-size="11" fill="#4a5560">{_fmt(tick)}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{_num(left + i * step)}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'font-family="{FONT}" font-size="11" fill="#4a5560">{escape(label)}</text>'
        )
    for n, (name, vs) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{_num(left + i * step)},{_num(y_of(v))}" for i, v in enumerate(vs))
        parts.append(
            f'<polyline class="series" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2"><title>{escape(name)}</title></polyline>'
        )
        for i, v in enumerate(vs):
            parts.append(
                f'<circle cx="{_num(left + i * step)}" cy="{_num(y_of(v))}" r="2.5" '
                f'fill="{colour}"/>'
            )
        legend_x = left + n * 150
        parts.append(
            f'<rect x="{legend_x}" y="{height - 18}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{height - 9}" font-family="{FONT}" font-size="11" '
            f'fill="#1b1f23">{escape(name)}</text>'
        )
    return "".join(parts) + "</svg>"


@dataclass(frozen=True)
class MapPoint:
    """A point on the map: where, what kind (suggested, open, done, gap) and a tooltip."""

    lat: float
    lon: float
    kind: str = "open"
    label: str = ""
    href: str = ""  # a page about the point: the point becomes a link


@dataclass(frozen=True)
class Viewport:
    """The map's bounds and how degrees become pixels (equirectangular, scaled by cos(lat))."""

    south: float
    west: float
    north: float
    east: float
    width: int
    height: int

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        """Pixel position of a point (y grows downwards)."""
        x = (lon - self.west) / (self.east - self.west) * self.width
        y = (self.north - lat) / (self.north - self.south) * self.height
        return x, y

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the bounds."""
        return self.south <= lat <= self.north and self.west <= lon <= self.east


KM_PER_DEGREE = 111.195


def fit_viewport(
    points: Sequence[tuple[float, float]],
    width: int,
    height: int,
    *,
    padding: float = 0.08,
    min_span_km: float = 2.0,
) -> Viewport:
    """Bounds holding every point with some padding, with the pixel aspect kept true to ground."""
    if not points:
        points = [(0.0, 0.0)]
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid_lat = (min(lats) + max(lats)) / 2
    cos_lat = max(0.01, math.cos(math.radians(mid_lat)))
    # Work in km so the map keeps true proportions.
    span_y = max((max(lats) - min(lats)) * KM_PER_DEGREE, min_span_km)
    span_x = max((max(lons) - min(lons)) * KM_PER_DEGREE * cos_lat, min_span_km)
    span_y *= 1 + 2 * padding
    span_x *= 1 + 2 * padding
    if span_x / span_y < width / height:
        span_x = span_y * width / height
    else:
        span_y = span_x * height / width
    centre_lat = (min(lats) + max(lats)) / 2
    centre_lon = (min(lons) + max(lons)) / 2
    half_lat = span_y / 2 / KM_PER_DEGREE
    half_lon = span_x / 2 / (KM_PER_DEGREE * cos_lat)
    return Viewport(
        south=centre_lat - half_lat,
        west=centre_lon - half_lon,
        north=centre_lat + half_lat,
        east=centre_lon + half_lon,
        width=width,
        height=height,
    )


def area_map(
    points: Sequence[MapPoint],
    *,
    title: str,
    circle: tuple[float, float, float] | None = None,
    places: Sequence[tuple[str, float, float]] = (),
    outlines: Sequence[tuple[str, Sequence[tuple[float, float]]]] = (),
    extent: Sequence[tuple[float, float]] = (),
    note: str = "",
    width: int = 560,
    height: int = 380,
) -> str:
    """A map without tiles: points by kind, a service-area circle (lat, lon, radius km),
    neighbourhood outlines ((name, [(lat, lon)...])) and names at their centres (only those
    inside the map). `extent` adds places the map must hold (e.g. the city's bounds). Points
    with an `href` are links (then the map is a group of links, not one image). A `note` (e.g.
    how many of the points there are the map draws) is printed on the map, top left, and added
    to its accessible title."""
    extent = [(p.lat, p.lon) for p in points] + list(extent)
    if circle is not None:
        lat, lon, radius = circle
        d_lat = radius / KM_PER_DEGREE
        d_lon = radius / (KM_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
        extent += [(lat - d_lat, lon - d_lon), (lat + d_lat, lon + d_lon)]
    view = fit_viewport(extent, width, height)
    linked = any(p.href for p in points)
    parts = _open(width, height, f"{title} ({note})" if note else title)
    if linked:
        parts[0] = parts[0].replace('role="img"', 'role="group"')
    parts.append(
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f3f5f7" stroke="#d0d7de"/>'
    )
    for _name, outline in outlines:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_num(x)},{_num(y)}"
            for i, (x, y) in enumerate(view.xy(lat, lon) for lat, lon in outline)
        )
        parts.append(
            f'<path class="outline" d="{path} Z" fill="#ffffff" fill-opacity="0.6" '
            f'stroke="#8c959f" stroke-width="1"/>'
        )
    for name, lat, lon in places:
        if view.contains(lat, lon):
            x, y = view.xy(lat, lon)
            half = text_width(name, 10) / 2 + 2  # a name near the edge is moved in, not cut
            x = min(max(x, half), width - half)
            y = min(max(y, 12), height - 4)
            parts.append(
                f'<text class="place" x="{_num(x)}" y="{_num(y)}" text-anchor="middle" '
                f'font-family="{FONT}" font-size="10" fill="#6a737d">{escape(name)}</text>'
            )
    if circle is not None:
        lat, lon, radius = circle
        x, y = view.xy(lat, lon)
        r = radius / ((view.north - view.south) * KM_PER_DEGREE) * height
        parts.append(
            f'<circle class="service-area" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" '
            f'fill="#0b5cad" fill-opacity="0.08" stroke="#0b5cad" stroke-dasharray="6 4"/>'
            f'<path d="M{_num(x - 6)},{_num(y)} L{_num(x + 6)},{_num(y)} '
            f'M{_num(x)},{_num(y - 6)} L{_num(x)},{_num(y + 6)}" stroke="#1b1f23" '
            f'stroke-width="2"/>'
        )
    # Draw suggested points last so they sit on top.
    for point in sorted(points, key=lambda p: p.kind == "suggested"):
        x, y = view.xy(point.lat, point.lon)
        colour = POINT_COLOURS.get(point.kind, POINT_COLOURS["open"])
        radius = 5 if point.kind == "suggested" else 3
        tip = f"<title>{escape(point.label)}</title>" if point.label else ""
        circle_svg = (
            f'<circle class="point point-{escape(point.kind)}" cx="{_num(x)}" cy="{_num(y)}" '
            f'r="{radius + (2 if point.href else 0)}" fill="{colour}" stroke="#ffffff" '
            f'stroke-width="1">{tip}</circle>'
        )
        if point.href:
            circle_svg = (
                f'<a href="{escape(point.href)}" aria-label="{escape(point.label)}">'
                f"{circle_svg}</a>"
            )
        parts.append(circle_svg)
    if note:
        lines = wrap_label(note, 11, width - 16)
        parts.append(
            f'<text class="note" x="8" y="16" font-family="{FONT}" font-size="11" '
            f'fill="#1b1f23">'
            + "".join(
                f'<tspan x="8" y="{16 + 13 * i}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            + "</text>"
        )
    scale_km = _scale_length(view)
    scale_px = scale_km / ((view.north - view.south) * KM_PER_DEGREE) * height
    parts.append(
        f'<line x1="10" y1="{height - 12}" x2="{_num(10 + scale_px)}" y2="{height - 12}" '
        f'stroke="#1b1f23" stroke-width="2"/>'
        f'<text x="10" y="{height - 16}" font-family="{FONT}" font-size="10" '
        f'fill="#1b1f23">{_fmt(scale_km)} km</text>'
    )
    return "".join(parts) + "</svg>"


def _scale_length(view: Viewport) -> float:
    """A round scale-bar length, about a fifth of the map's height in km."""
    span_km = (view.north - view.south) * KM_PER_DEGREE
    target = span_km / 5
    for candidate in (0.25, 0.5, 1, 2, 5, 10, 20, 50):
        if candidate >= target:
            return float(candidate)
    return 100.0


def qr_code(data: str, *, title: str, scale: int = 3) -> str:
    """The QR code of `data` (e.g. a sign-up address) as SVG: medium error correction, so a
    creased or smudged handout still scans; the quiet zone around it is kept."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=scale, title=title, svgclass="qr", lineclass=None)
    return svg.replace(
        "<svg ",
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" ',
        1,
    )
