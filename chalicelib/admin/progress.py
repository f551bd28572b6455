"""A progress line on the terminal for long commands (imports of a million rows)."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """Redraws one line at most five times a second; prints a line every 10 s off a terminal."""

    WIDTH = 30

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.interactive = stream.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.stage = None
        self.finished: set[str] = set()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if stage in self.finished:
            return
        if finished:
            self.finished.add(stage)
        interval = 0.2 if self.interactive else 10.0
        if stage != self.stage:
            if self.stage is not None and self.interactive:
                self.stream.write("\n")
            self.stage = stage
            self.started = now
        elif not finished and now - self.last_draw < interval:
            return
        self.last_draw = now
        elapsed = max(now - self.started, 1e-6)
        if total:
            filled = int(self.WIDTH * min(done / total, 1))
            bar = "█" * filled + "·" * (self.WIDTH - filled)
            text = f"{stage:<22} {bar} {100 * done / total:5.1f} %  {elapsed:6.1f} s"
        else:
            rate = f"{done / elapsed:10,.0f}/s" if elapsed >= 0.5 else " " * 12
            text = f"{stage:<22} {done:>10,} éléments  {rate}  {elapsed:6.1f} s".replace(",", " ")
        self.stream.write(("\r" + text) if self.interactive else text + "\n")
        if finished and self.interactive:
            self.stream.write("\n")
            self.stage = None
        self.stream.flush()
