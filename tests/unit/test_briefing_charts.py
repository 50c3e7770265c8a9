"""Server-drawn SVG: bars scale to their values, lines pass through their points, the map puts
points, the service-area circle and neighbourhood names where they belong, and text is escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from briefings.charts import (
    MapPoint,
    area_map,
    bar_chart,
    fit_viewport,
    line_chart,
    nice_max,
    qr_code,
    text_width,
    wrap_label,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup; also proves it is well-formed


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (42, 50), (100, 100)]
)
def test_the_axis_top_is_the_next_round_number(value, expected):
    assert nice_max(value) == expected


def test_bars_are_proportional_to_their_values_and_labelled():
    root = _parse(bar_chart([("Mowing", 10), ("Litter", 5), ("None", 0)], title="Open"))
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] == 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Mowing" in texts and "10" in texts and "5" in texts
    assert root.get("role") == "img" and root.get("aria-label") == "Open"


def test_an_empty_bar_chart_says_so():
    assert "Nothing to show." in bar_chart([], title="Empty")


def test_free_text_in_charts_is_escaped():
    svg = bar_chart([('<script>alert("x")</script>', 1)], title='A & "B"')
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = _parse(svg)
    assert root.get("aria-label") == 'A & "B"'


def test_a_line_chart_has_one_polyline_per_series_through_every_point():
    svg = line_chart(["01", "02", "03"], [("Posted", [0, 5, 10]), ("Done", [1, 1, 1])], title="T")
    root = _parse(svg)
    lines = [p for p in root.iter(f"{SVG}polyline")]
    assert len(lines) == 2
    posted = [tuple(map(float, xy.split(","))) for xy in lines[0].get("points").split()]
    assert len(posted) == 3
    # y grows downwards: 10 is the top of the axis, 0 the bottom, 5 exactly half-way.
    assert posted[1][1] == pytest.approx((posted[0][1] + posted[2][1]) / 2, abs=0.1)
    assert posted[2][1] < posted[0][1]


def test_the_viewport_keeps_true_proportions_and_holds_every_point():
    points = [(30.40, -91.20), (30.50, -91.10)]
    view = fit_viewport(points, 600, 300)
    assert all(view.contains(lat, lon) for lat, lon in points)
    km_per_px_x = (view.east - view.west) * 111.195 * 0.8625 / 600  # cos(30.45°) ≈ 0.8621
    km_per_px_y = (view.north - view.south) * 111.195 / 300
    assert km_per_px_x == pytest.approx(km_per_px_y, rel=0.01)


def test_the_map_draws_points_by_kind_the_service_circle_and_names_inside_it():
    svg = area_map(
        [
            MapPoint(30.45, -91.19, "suggested", "#1 <Tall grass>"),
            MapPoint(30.46, -91.18, "open", "#2"),
        ],
        title="Area",
        circle=(30.45, -91.19, 2.0),
        places=[("Downtown", 30.4515, -91.1871), ("Far Away", 31.5, -92.5)],
    )
    root = _parse(svg)
    circles = list(root.iter(f"{SVG}circle"))
    service = [c for c in circles if c.get("class") == "service-area"]
    assert len(service) == 1
    kinds = sorted(c.get("class") for c in circles if (c.get("class") or "").startswith("point"))
    assert kinds == ["point point-open", "point point-suggested"]
    names = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "place"]
    assert names == ["Downtown"]
    assert "&lt;Tall grass&gt;" in svg
    # The circle's radius is 2 km on the map's scale: the height spans at least 4 km.
    radius = float(service[0].get("r"))
    height_km = 380 / radius * 2
    assert height_km >= 4


def test_a_map_without_points_or_circle_is_still_valid_svg():
    root = _parse(area_map([], title="Nothing"))
    assert root.tag == f"{SVG}svg"
    assert re.search(r"\d+(\.\d+)? km", "".join(root.itertext()))


def test_bar_labels_are_never_cut_they_wrap_inside_the_chart():
    labels = [
        "Resident property-maintenance help",
        "Board-up of vacant structures",
        "Litter cleanup",
        "A-very-long-single-word-label-that-cannot-wrap-anywhere-at-all",
    ]
    svg = bar_chart([(label, 3) for label in labels], title="Open needs", width=560)
    root = _parse(svg)
    for text in root.iter(f"{SVG}text"):
        if text.get("class") != "label":
            continue
        lines = [t.text for t in text.iter(f"{SVG}tspan")] or [text.text]
        right = float(text.get("x"))  # text-anchor="end": each line ends here
        for line in lines:
            assert right - text_width(line, 12) >= 0, line
    # The full label stays readable: whole where it fits, or as the wrapped label's tooltip.
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert "Resident property-maintenance help" in titles
    assert labels[-1] in titles
    assert "Litter cleanup" in [t.text for t in root.iter(f"{SVG}text")]


def test_wrapping_keeps_every_word_and_breaks_after_hyphens():
    assert wrap_label("Resident property-maintenance help", 12, 150) == [
        "Resident property-",
        "maintenance help",
    ]
    assert wrap_label("Litter cleanup", 12, 300) == ["Litter cleanup"]


def test_the_qr_code_is_an_accessible_svg_without_inline_styles():
    svg = qr_code("https://city.example/register?x=1&y=2", title="QR code: sign up")
    root = _parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "QR code: sign up"
    assert "style=" not in svg


def test_month_labels_and_place_names_stay_inside_their_chart():
    svg = line_chart(
        ["Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026"],
        [("Posted", [1, 2, 3, 4, 5, 6])],
        title="Trend",
    )
    root = _parse(svg)
    width = float(root.get("width"))
    for text in root.iter(f"{SVG}text"):
        if text.get("text-anchor") == "middle":
            half = text_width(text.text, 11) / 2
            assert half <= float(text.get("x")) <= width - half, text.text
    # Places at the map's left and right ends (the map fits its points with 8 % padding).
    places = [("Scotlandville", 30.45, -91.25), ("Old South Baton Rouge", 30.45, -91.10)]
    drawn = _parse(
        area_map([MapPoint(30.45, -91.25), MapPoint(30.45, -91.10)], title="M", places=places)
    )
    for text in drawn.iter(f"{SVG}text"):
        if text.get("class") == "place":
            half = text_width(text.text, 10) / 2
            assert half <= float(text.get("x")) <= 560 - half, text.text


def test_a_maps_note_is_printed_on_it_wrapped_to_its_width_and_in_its_title():
    note = (
        "2,000 of 36,412 open needs drawn: the suggested, those nobody covers and the most urgent"
    )
    root = _parse(area_map([MapPoint(30.45, -91.19)], title="Area", note=note))
    text = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "note")
    lines = [span.text for span in text.iter(f"{SVG}tspan")]
    assert " ".join(lines) == note and len(lines) == 2
    assert all(text_width(line, 11) <= 560 - 16 for line in lines)
    assert root.get("aria-label") == f"Area ({note})"
    plain = _parse(area_map([MapPoint(30.45, -91.19)], title="Area"))
    assert not [t for t in plain.iter(f"{SVG}text") if t.get("class") == "note"]
