"""Chunks of writes on a few threads, never more than a few chunks in memory."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor


class ChunkWriter:
    """Runs `function(*args)` for each submitted chunk on `workers` threads.

    `submit` blocks while twice `workers` chunks are pending, so reading the staging area
    never runs ahead of DynamoDB by more than that. `items` adds up what each call returned,
    also for the chunks that finished before a failure: what did reach DynamoDB.
    """

    def __init__(self, workers: int):
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.slots = threading.BoundedSemaphore(workers * 2)
        self.futures = []
        self.items = 0
        self.lock = threading.Lock()

    def submit(self, function, *args) -> None:
        self.slots.acquire()

        def run():
            try:
                written = function(*args)
                with self.lock:
                    self.items += written
            finally:
                self.slots.release()

        pending = [self.pool.submit(run)]
        for future in self.futures:
            if future.done():
                future.result()  # re-raises a failed chunk's error: stop the import early
            else:
                pending.append(future)
        self.futures = pending

    def finish(self) -> None:
        """Wait for every chunk; re-raise the first failure."""
        for future in self.futures:
            future.result()

    def close(self) -> None:
        """Stop the threads; chunks not started yet are dropped (after a failure)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
