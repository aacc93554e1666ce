"""Preview images of outreach materials, sized for phones, made with Pillow.

Served at /thumbnails/<width>/<file>.jpg: generated on demand in preview (and kept in memory
until the file changes) and written into the build by the freezer like any other page.
SVG sources are not rasterised (that needs the Cairo library, which a plain pip install does
not bring): an SVG is its own preview, as browsers scale it without loss.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from PIL import Image, ImageOps

WIDTHS = (360, 720)  # a phone screen, and the same at double density
QUALITY = 80
_cache: dict[tuple, tuple[bytes, tuple[int, int]]] = {}
_lock = threading.Lock()


def make_thumbnail(source: Path, width: int) -> tuple[bytes, tuple[int, int]]:
    """A JPEG at most ``width`` pixels wide (never enlarged), transparency on white."""
    stat = source.stat()
    key = (str(source), stat.st_mtime_ns, stat.st_size, width)
    with _lock:
        if key in _cache:
            return _cache[key]
    with Image.open(source) as original:
        image = ImageOps.exif_transpose(original)
        image.thumbnail((width, width * 4))
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    result = (out.getvalue(), image.size)
    with _lock:
        _cache[key] = result
    return result


def image_size(source: Path) -> tuple[int, int]:
    with Image.open(source) as image:
        return image.size
