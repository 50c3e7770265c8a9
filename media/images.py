"""Cleaning an uploaded photo: Pillow decides what it is (never the name or the declared type),
only JPEG, PNG and WebP are taken, the pixels are re-encoded without any metadata (EXIF, GPS,
XMP, comments), turned upright first, shrunk to a longest side, and a thumbnail is made.

Pure: must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_PIXELS = 40_000_000
"""Larger images are refused before decoding (a small file can decode to gigabytes)."""
JPEG_QUALITY = 85


class PhotoRejectedError(ValueError):
    """An upload that is not a photo we take, with the reason in plain words."""


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: full size and thumbnail as JPEG bytes, without metadata."""

    full: bytes
    thumbnail: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def clean_photo(data: bytes, *, max_bytes: int, max_side: int, thumb_side: int) -> CleanPhoto:
    """Check, strip and resize one upload; PhotoRejectedError says why one is refused."""
    if not data:
        raise PhotoRejectedError("the file is empty")
    if len(data) > max_bytes:
        raise PhotoRejectedError(
            f"it is {len(data) / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB"
        )
    image = _open_checked(data)
    image = ImageOps.exif_transpose(image)  # upright as taken, before the EXIF goes
    image = _flattened(image)
    full = _shrunk(image, max_side)
    thumb = _shrunk(image, thumb_side)
    return CleanPhoto(_jpeg(full), _jpeg(thumb), full.width, full.height)


def _open_checked(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            kind = probe.format
            if kind not in ACCEPTED_FORMATS:
                raise PhotoRejectedError(
                    f"it is not a JPEG, PNG or WebP photo ({kind or 'unknown'} file)"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoRejectedError("it has too many pixels")
            probe.verify()  # structure check; the image must be reopened afterwards
            image = Image.open(io.BytesIO(data))
            image.load()
    except PhotoRejectedError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejectedError("it is not a JPEG, PNG or WebP photo") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoRejectedError("the file is damaged or cut short") from exc
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG holds no transparency."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _shrunk(image: Image.Image, side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def _jpeg(image: Image.Image) -> bytes:
    """Encoded afresh from pixels only: no exif=, icc or comment is passed, so none is kept."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
