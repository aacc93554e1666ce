"""Facts about media files: which are raster images Pillow can read, and their intrinsic sizes
(so pages reserve their space before images load: no layout shift on slow connections)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path, PurePosixPath

from PIL import Image

# Formats Pillow reads (and thumbnails are made of); SVGs are shown as they are.
RASTER_FORMATS = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
PREVIEW_FORMATS = RASTER_FORMATS | {".svg"}
SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
SVG_ATTRIBUTE = r'\b{name}\s*=\s*["\']\s*([0-9.]+)(?:px)?\s*["\']'
VIEW_BOX = re.compile(r'\bviewBox\s*=\s*["\']\s*[-0-9.]+[ ,]+[-0-9.]+[ ,]+([0-9.]+)[ ,]+([0-9.]+)')


def image_dimensions(path: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/WebP/GIF or SVG file, or None if it cannot be told."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _dimensions(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1024)
def _dimensions(path: str, mtime_ns: int, size: int) -> tuple[int, int] | None:
    source = Path(path)
    if source.suffix.lower() == ".svg":
        return svg_dimensions(source.read_text(encoding="utf-8", errors="replace")[:4096])
    if is_readable_image(source):
        return image_size(source)
    return None


def svg_dimensions(text: str) -> tuple[int, int] | None:
    root = SVG_ROOT.search(text)
    if not root:
        return None
    tag = root.group(0)
    width = re.search(SVG_ATTRIBUTE.format(name="width"), tag)
    height = re.search(SVG_ATTRIBUTE.format(name="height"), tag)
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = VIEW_BOX.search(tag)
    if box:
        return round(float(box.group(1))), round(float(box.group(2)))
    return None


def is_raster(filename: str) -> bool:
    return PurePosixPath(filename).suffix.lower() in RASTER_FORMATS


def image_size(source: Path) -> tuple[int, int]:
    with Image.open(source) as image:
        return image.size


def is_readable_image(source: Path) -> bool:
    """Whether Pillow can read the file's header (a PNG that is really a PDF is not)."""
    try:
        image_size(source)
    except (OSError, SyntaxError, ValueError):
        return False
    return True
