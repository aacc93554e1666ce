"""Split a list into numbered pages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Pagination(Generic[T]):
    items: list[T]
    number: int
    count: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def paginate(items: list[T], number: int, per_page: int) -> Pagination[T] | None:
    """Page ``number`` (1-based) of ``items``, or None when it does not exist."""
    count = max(1, math.ceil(len(items) / per_page))
    if number < 1 or number > count:
        return None
    start = (number - 1) * per_page
    return Pagination(items[start : start + per_page], number, count, len(items))
