"""The pages a process read last time, kept in memory for the next read (`build --watch`).

A process that builds again and again would otherwise load the front-matter cache from disk,
make a Page and a Path for every file and save the cache again on every rebuild: most of the
time a rebuild spends reading content at 5,000 articles. KeptPages keeps the Page objects
themselves, by file and identity (parse_cache.file_identity, with its settling rule).

Nothing is taken from the change detector: every file is still listed and stat'ed, so a save
the detector missed (an inotify queue overflow, a change while it restarted) is read like any
other. Only files whose identity changed are read again; pages with problems are never kept
(their messages always come from a fresh parse). The checks' cache of what each body holds
(body_checks.BodyMarksCache, by file and content hash) is kept the same way.
"""

from __future__ import annotations

import time
from pathlib import Path

from dxportal.content.body_checks import BodyMarksCache
from dxportal.content.errors import ContentProblem
from dxportal.content.loader import page_names, read_page
from dxportal.content.model import Page
from dxportal.content.parse_cache import ContentCache, Identity, file_identity


class KeptPages:
    """read_content's ``read_pages`` for the content folder ``root``, across reads.

    The first read goes through the disk cache (``cache_dir``, if any), as a fresh process
    does; later reads only through what the previous read kept.
    """

    def __init__(self, root: Path, cache_dir: Path | None = None) -> None:
        self.root = Path(root)
        self.cache_dir = cache_dir
        self.kept: dict[str, tuple[Identity, Page]] = {}  # by the file's path
        self.reads = 0  # files read (not kept) by the last call: for the tests
        # What each body holds (checks.check_site), kept too: not unpickled on every build.
        self.marks = BodyMarksCache(cache_dir, self.root) if cache_dir is not None else None

    def read_pages(self, problems: list[ContentProblem]) -> list[Page]:
        """Every page file's Page, in file order; their problems added to ``problems``."""
        first = not self.kept
        cache = ContentCache(self.cache_dir, self.root) if first and self.cache_dir else None
        looked_at = time.time_ns()
        base = str(self.root)
        kept: dict[str, tuple[Identity, Page]] = {}
        pages: list[Page] = []
        self.reads = 0
        for parts in page_names(self.root):
            path = f"{base}/{'/'.join(parts)}"
            identity = file_identity(path, looked_at)  # before reading: see its doc
            known = self.kept.get(path)
            if identity is not None and known is not None and known[0] == identity:
                page: Page | None = known[1]
            else:
                self.reads += 1
                before = len(problems)
                page = read_page(Path(path), self.root, problems, cache, parts, looked_at)
                if page is None or len(problems) > before:
                    identity = None  # read again next time, its problems with it
            if page is not None:
                pages.append(page)
                if identity is not None:
                    kept[path] = (identity, page)
        self.kept = kept
        if cache is not None:
            cache.save()
        return pages
