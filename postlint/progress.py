"""A one-line progress bar on a terminal, for the network checks once every file is read."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

# Below this many URLs the wait is too short for a bar to be worth its flicker.
HANDFUL = 10


class ProgressBar:
    """Call with (done, total); draws on ``stream`` at most every ``interval`` seconds, clears when done."""

    def __init__(self, stream: TextIO, label: str = "checking remote images", *, min_total: int = HANDFUL,
                 interval: float = 0.1, width: int = 30, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.label = label
        self.min_total = min_total
        self.interval = interval
        self.width = width
        self.clock = clock
        self._last = float("-inf")
        self._shown = 0  # length of the line on screen, to clear it

    def __call__(self, done: int, total: int) -> None:
        if total <= self.min_total:
            return
        if done >= total:
            if self._shown:
                self.stream.write("\r" + " " * self._shown + "\r")
                self.stream.flush()
                self._shown = 0
            return
        now = self.clock()
        if now - self._last < self.interval:
            return
        self._last = now
        filled = self.width * done // total
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
        self.stream.write("\r" + line.ljust(self._shown))
        self.stream.flush()
        self._shown = len(line)


def for_stderr(stream: TextIO, quiet: bool) -> ProgressBar | None:
    """A bar when ``stream`` is a terminal and the run is not quiet; None (silence) otherwise."""
    if quiet:
        return None
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return ProgressBar(stream) if tty else None
