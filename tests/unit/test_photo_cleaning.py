"""Cleaning uploads (media.images), on its own: what is taken, what is refused and why, and
that nothing of the original's metadata survives."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from media.images import MAX_PIXELS, PhotoRejectedError, clean_photo
from tests.photos import gps_of, phone_photo

LIMITS = {"max_bytes": 5_000_000, "max_side": 800, "thumb_side": 100}


def _encoded(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["PNG", "WEBP", "JPEG"])
def test_jpeg_png_and_webp_become_small_jpegs_without_metadata(kind):
    source = Image.new("RGB", (1200, 600), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Maker"
    clean = clean_photo(_encoded(source, kind, exif=exif), **LIMITS)
    stored = Image.open(io.BytesIO(clean.full))
    assert stored.format == "JPEG" and (clean.width, clean.height) == (800, 400)
    assert dict(stored.getexif()) == {} and max(Image.open(io.BytesIO(clean.thumbnail)).size) == 100


def test_gps_is_gone_and_a_sideways_photo_is_turned_upright():
    original = phone_photo(400, 200)
    image = Image.open(io.BytesIO(original))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    clean = clean_photo(_encoded(image, "JPEG", exif=exif), **LIMITS)
    assert gps_of(clean.full) == {} and (clean.width, clean.height) == (200, 400)


def test_a_transparent_png_is_flattened_on_white():
    source = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    clean = clean_photo(_encoded(source, "PNG"), **LIMITS)
    assert Image.open(io.BytesIO(clean.full)).getpixel((25, 25)) >= (250, 250, 250)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.7 pretending to be a photo", "not a JPEG, PNG or WebP photo"),
        (_encoded(Image.new("RGB", (10, 10)), "GIF"), "not a JPEG, PNG or WebP photo (GIF file)"),
        (_encoded(Image.new("RGB", (300, 300)), "JPEG")[:200], "damaged or cut short"),
    ],
)
def test_what_is_not_a_photo_we_take_is_refused_with_a_reason(data, reason):
    with pytest.raises(PhotoRejectedError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        clean_photo(data, **LIMITS)


def test_too_many_bytes_or_pixels_are_refused_before_decoding():
    with pytest.raises(PhotoRejectedError, match="the limit is 1 MB"):
        clean_photo(b"x" * 1_100_000, max_bytes=1_048_576, max_side=800, thumb_side=100)
    side = int(MAX_PIXELS**0.5) + 10
    huge = _encoded(Image.new("L", (side, side)), "PNG", optimize=True)
    with pytest.raises(PhotoRejectedError, match="it has too many pixels"):
        clean_photo(huge, **LIMITS)
