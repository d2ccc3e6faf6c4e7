"""Per-chat token bucket: a flood from one chat costs a bounded amount of work.

A chat may send ``capacity`` messages at once and then ``rate`` per second.  The first message
over the limit gets one "请稍后再试" reply; further ones are dropped silently until the bucket
refills, so a flood of 200 messages produces a handful of replies, not 200.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED_CHATS = 10_000


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class ChatRateLimiter:
    def __init__(self, capacity: float, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.rate = rate
        self.clock = clock
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def check(self, chat_id: int) -> str:
        """``"ok"`` (go on), ``"warn"`` (refuse, say so once) or ``"drop"`` (refuse silently)."""
        now = self.clock()
        bucket = self._buckets.pop(chat_id, None) or _Bucket(self.capacity, now)
        self._buckets[chat_id] = bucket  # most recently seen last
        if len(self._buckets) > MAX_TRACKED_CHATS:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
