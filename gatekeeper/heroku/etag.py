"""An in-memory ETag cache: send ``If-None-Match``, serve the stored body on ``304``.

Heroku answers a conditional GET whose ETag still matches with an empty 304, which costs no
transfer. The cache key includes the ``Accept`` variant and the ``Range`` of a list page, so
each page of each variant is cached on its own; the page's ``Next-Range`` is kept with it so a
304 page can still be followed. The cache is per process and bounded (least recently used
entries go first); it never stores request headers, so no token can end up in it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedPage:
    """One cached response: what a 304 stands for."""

    etag: str
    status: int  # 200, or 206 for a page of a longer list
    content: bytes  # the raw body, parsed afresh on each hit so callers cannot alter it
    next_range: str | None


CacheKey = tuple[str, str, str | None]  # (url, accept, range)


class EtagCache:
    """Bounded LRU map from (url, accept, range) to the last response carrying an ETag."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, CachedPage] = OrderedDict()

    def get(self, key: CacheKey) -> CachedPage | None:
        page = self._entries.get(key)
        if page is not None:
            self._entries.move_to_end(key)
        return page

    def put(self, key: CacheKey, page: CachedPage) -> None:
        self._entries[key] = page
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"EtagCache(entries={len(self._entries)}, max_entries={self.max_entries})"
