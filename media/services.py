"""Storing and reading photos of needs. Storing runs inside the caller's unit of work (the
photo rows commit with the report or the completion they belong to); files written for a
unit that then rolls back are removed by the caller through `discard`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from commonground.errors import NotFoundError
from commonground.extensions import db
from media.images import CleanPhoto, PhotoRejectedError, clean_photo
from media.models import Photo
from media.storage import configured_storage

__all__ = [
    "PhotoRejectedError",
    "Upload",
    "clean_upload",
    "get_photo",
    "photo_bytes",
    "photos_of",
    "store_photo",
    "stored_files",
]


@dataclass(frozen=True)
class Upload:
    """One file as a person sent it: the name they gave (for messages only) and its bytes."""

    filename: str
    data: bytes


def clean_upload(upload: Upload) -> CleanPhoto:
    """Check and clean one upload with the configured limits (PhotoRejectedError if refused)."""
    config = current_app.config
    return clean_photo(
        upload.data,
        max_bytes=config["PHOTO_MAX_BYTES"],
        max_side=config["PHOTO_MAX_SIDE"],
        thumb_side=config["PHOTO_THUMB_SIDE"],
    )


def store_photo(
    need_id: int, photo: CleanPhoto, *, role: str = "report", claim_id: int | None = None
) -> Photo:
    """Write a cleaned photo's files and add its row (the caller's unit of work commits)."""
    storage = configured_storage()
    row = Photo(
        need_id=need_id,
        claim_id=claim_id,
        role=role,
        key=storage.put(photo.full, ".jpg"),
        thumb_key=storage.put(photo.thumbnail, ".jpg"),
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        byte_size=len(photo.full),
    )
    db.session.add(row)
    return row


def photos_of(need_ids: Iterable[int], roles: Iterable[str] | None = None) -> list[Photo]:
    """The photos of these needs (optionally of some roles), oldest first."""
    ids = sorted(set(need_ids))
    if not ids:
        return []
    query = select(Photo).where(Photo.need_id.in_(ids)).order_by(Photo.id)
    if roles is not None:
        query = query.where(Photo.role.in_(list(roles)))
    return list(db.session.scalars(query))


def photo_bytes(photo: Photo, *, thumbnail: bool = False) -> bytes | None:
    """A stored photo's file (or its thumbnail)."""
    return configured_storage().get(photo.thumb_key if thumbnail else photo.key)


def get_photo(need_id: int, photo_id: int) -> Photo:
    """A photo of this need, or NotFoundError."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.need_id != need_id:
        raise NotFoundError("No such photo.")
    return photo


@contextmanager
def stored_files() -> Iterator[list[Photo]]:
    """Collects the photos a block stores; if the block fails, their files are removed (the
    rows roll back with the unit of work, the files would otherwise stay)."""
    stored: list[Photo] = []
    try:
        yield stored
    except BaseException:
        storage = configured_storage()
        for photo in stored:
            storage.delete(photo.key)
            storage.delete(photo.thumb_key)
        raise
