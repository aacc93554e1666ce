"""Which addresses a build renders: every URL the app's generators give, each with its key,
and the links between them resolved once (url_for answers remembered)."""

from __future__ import annotations

import pickle
from pathlib import Path

from dxportal.build.dependencies import Dependencies
from dxportal.build.freezer import SiteFreezer
from dxportal.cache import DiskCache, code_version


def plan_urls(
    freezer: SiteFreezer, deps: Dependencies, cache_dir: Path | None = None
) -> tuple[dict[str, str], set[str | None]]:
    """Every generated URL once, in order, with its key; and the endpoints they come from.

    The URLs are kept in ``cache_dir`` under ``deps.meta_key``: what the generators give
    depends only on what that key covers (the published pages' front matter, settings, media
    and code), and computing thousands of URLs with url_for costs more than an edited
    article's pages.
    """
    disk = DiskCache(cache_dir, "plans", code_version()) if cache_dir is not None else None
    payload = disk.get(deps.meta_key) if disk is not None else None
    try:
        generated = pickle.loads(payload)  # type: ignore[arg-type]
    except Exception:  # none (TypeError), or a damaged entry: only a miss
        generated = list(freezer.generated_urls())
        if disk is not None:
            disk.put(deps.meta_key, pickle.dumps(generated, protocol=pickle.HIGHEST_PROTOCOL))
    keys: dict[str, str] = {}
    for url, endpoint, values in generated:
        if url not in keys:
            keys[url] = deps.key(url, endpoint, values)
    return keys, {endpoint for _, endpoint, _ in generated}
