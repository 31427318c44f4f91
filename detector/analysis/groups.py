"""Grouping helpers shared by the repeat and site analyses: union-find and span merging."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Groups(Generic[K]):
    """Union-find over hashable items; each group is named by its earliest-added member."""

    def __init__(self) -> None:
        self._index: dict[K, int] = {}
        self._items: list[K] = []
        self._parent: list[int] = []

    def add(self, item: K) -> int:
        if item not in self._index:
            self._index[item] = len(self._items)
            self._items.append(item)
            self._parent.append(len(self._parent))
        return self._index[item]

    def _find(self, x: int) -> int:
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: K, b: K) -> None:
        ra, rb = self._find(self.add(a)), self._find(self.add(b))
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[K]]:
        """The groups, each in insertion order, ordered by their first member."""
        out: dict[int, list[K]] = {}
        for i, item in enumerate(self._items):
            out.setdefault(self._find(i), []).append(item)
        return list(out.values())
