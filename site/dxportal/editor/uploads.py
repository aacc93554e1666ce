"""Images and PDF files uploaded into content/media/: type checked by content, never overwriting.

The type comes from the file's bytes (Pillow opens and verifies images; a PDF starts with
%PDF-), never from its name or the browser's claim. The name is made a slug from the uploaded
name with the extension of the detected type; an existing name gets -2, -3... instead.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError

from dxportal.editor.paths import media_file
from dxportal.messages import Message, MessageError
from dxportal.slugs import make_slug

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


class UploadRefused(MessageError):
    """An upload that was not stored; the message says why and what to do."""


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(
            Message(
                "the file is larger than {size} MB; make it smaller first",
                size=round(limit / 1024 / 1024, 1),
            )
        )
    if not data:
        raise UploadRefused(Message("the file is empty"))
    return data


def detect_type(data: bytes) -> str:
    """The extension for the file's real type: png, jpg, gif, webp or pdf.

    An image whose header claims more pixels than Pillow's MAX_IMAGE_PIXELS (a small file that
    would take gigabytes once decoded) is refused, like one over twice that (Pillow's error).
    """
    if data.startswith(b"%PDF-"):
        return "pdf"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(
            Message(
                "the image is too large ({limit} million pixels at most); make it smaller first",
                limit=(Image.MAX_IMAGE_PIXELS or 0) // 1_000_000,
            )
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind in IMAGE_FORMATS:
        return IMAGE_FORMATS[kind]
    raise UploadRefused(Message("only images (PNG, JPEG, GIF, WebP) and PDF files can be uploaded"))


def save_upload(
    root: Path, filename: str, stream: IO[bytes], limit: int, description: str
) -> tuple[str, str]:
    """Store the upload in content/media/; return (file name, extension).

    An image is refused without ``description`` (its alt text): it would be inserted unusable.
    """
    data = read_limited(stream, limit)
    extension = detect_type(data)
    if extension != "pdf" and not description.strip():
        raise UploadRefused(
            Message("an image needs its alt text: write what it shows, then upload it again")
        )
    stem = make_slug(Path(filename or "").stem)[:80].strip("-") or "file"
    for number in range(1, 1000):
        name = f"{stem}.{extension}" if number == 1 else f"{stem}-{number}.{extension}"
        path = media_file(root, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as handle:
                handle.write(data)
        except FileExistsError:
            continue
        return name, extension
    raise UploadRefused(Message("too many files with this name; rename the file"))
