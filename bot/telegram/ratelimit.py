"""Token buckets per sender and per group: a flood costs a bounded amount of work, and one member
flooding a group does not silence the others.

Every sender has a bucket: ``capacity`` messages at once, then ``rate`` per second.  In a group
the sender's bucket is per (group, member), and the group has a bucket of its own,
:data:`GROUP_SHARE` times larger, that only messages a member's own bucket allowed draw on: one
flooder empties their own bucket and no more, so the others are still served, while many members
at once are capped as a chat.  The first message over a limit gets one "请稍后再试" reply (said
to the member, or to the group); further ones are dropped silently until that bucket refills, so
a flood of 200 messages produces a handful of replies, not 200.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

MAX_TRACKED = 10_000
GROUP_SHARE = 4.0
"""A group's bucket holds this many members' worth of messages."""

Verdict = Literal["ok", "warn", "drop", "warn-chat", "drop-chat"]


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
        self._buckets: OrderedDict[tuple[int, int | None], _Bucket] = OrderedDict()

    def check(self, chat_id: int, user_id: int | None = None) -> Verdict:
        """``ok`` (go on); ``warn``/``drop``: the sender is over their limit (say so once, then
        drop silently); ``warn-chat``/``drop-chat``: the same for the whole group."""
        now = self.clock()
        group = user_id is not None and user_id != chat_id
        sender = self._refilled((chat_id, user_id if group else None), now, 1.0)
        if sender.tokens < 1:
            return _refuse(sender, "warn", "drop")
        if group:
            chat = self._refilled((chat_id, None), now, GROUP_SHARE)
            if chat.tokens < 1:
                return _refuse(chat, "warn-chat", "drop-chat")
            chat.tokens -= 1
            chat.warned = False
        sender.tokens -= 1
        sender.warned = False
        return "ok"

    def _refilled(self, key: tuple[int, int | None], now: float, share: float) -> _Bucket:
        bucket = self._buckets.pop(key, None) or _Bucket(self.capacity * share, now)
        self._buckets[key] = bucket  # most recently seen last
        if len(self._buckets) > MAX_TRACKED:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self.capacity * share, bucket.tokens + (now - bucket.stamp) * self.rate * share)
        bucket.stamp = now
        return bucket


def _refuse(bucket: _Bucket, warn: Verdict, drop: Verdict) -> Verdict:
    """``warn`` the first time a bucket refuses, ``drop`` until it serves again."""
    if bucket.warned:
        return drop
    bucket.warned = True
    return warn
