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
# (path, width) -> (file signature, result): a changed file replaces its old thumbnail.
_cache: dict[tuple[str, int], tuple[tuple, tuple[bytes, tuple[int, int]]]] = {}
_lock = threading.Lock()


def make_thumbnail(source: Path, width: int) -> tuple[bytes, tuple[int, int]]:
    """A JPEG at most ``width`` pixels wide (never enlarged), transparency on white."""
    stat = source.stat()
    key, signature = (str(source), width), (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == signature:
            return cached[1]
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
        _cache[key] = (signature, result)
    return result
