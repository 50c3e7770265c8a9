"""Photos for tests, made here with Pillow: a JPEG carrying GPS EXIF like a phone's, and files
that only pretend to be photos."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825


def phone_photo(width: int = 2000, height: int = 1500, colour=(180, 60, 40)) -> bytes:
    """A JPEG with a camera model and a GPS position in its EXIF, as a phone writes it."""
    image = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (30.0, 27.0, 5.0), 3: "W", 4: (91.0, 11.0, 13.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    """The GPS EXIF of an image file ({} when there is none)."""
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))


def size_of(data: bytes) -> tuple[int, int]:
    """An image file's width and height."""
    return Image.open(io.BytesIO(data)).size
