"""Putting generated events in delivery order with bounded memory.

Conversations are generated one at a time in order of arrival, each with all its events,
some of them hours ahead. A heap holds events until no conversation still to come can have
an earlier delivery (their arrival is past it), or until it holds `capacity` events: then the
earliest go out anyway. Memory is bounded by `capacity` whatever the number of events; the
price is that an event far in the future may be written before events that come after it.
"""

from collections.abc import Iterable, Iterator
from heapq import heappop, heappush


class ReorderBuffer:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._heap: list[tuple[int, int, bytes]] = []
        self._pushed = 0  # tie-break: same delivery instant -> order of generation

    def push(self, events: Iterable[tuple[int, int, bytes]]) -> None:
        heap, n = self._heap, self._pushed
        for _, delivery, line in events:
            heappush(heap, (delivery, n, line))
            n += 1
        self._pushed = n

    def release(self, until: int) -> Iterator[bytes]:
        """Events delivered up to `until`, and the earliest beyond capacity."""
        heap, capacity = self._heap, self.capacity
        while heap and (heap[0][0] <= until or len(heap) > capacity):
            yield heappop(heap)[2]

    def drain(self) -> Iterator[bytes]:
        heap = self._heap
        while heap:
            yield heappop(heap)[2]

    def __len__(self) -> int:
        return len(self._heap)
