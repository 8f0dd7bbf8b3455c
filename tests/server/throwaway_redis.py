"""A redis-server of a test's own, on a free port: started for the test or benchmark, stopped after it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import redis

from tests.conftest import free_port

NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


@contextmanager
def redis_server(timeout: float = 10.0, options: Sequence[str] = NO_PERSISTENCE) -> Iterator[str]:
    """A throwaway redis-server on a free port (by default without persistence); yields its URL and stops it."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise FileNotFoundError("redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen([exe, "--port", str(port), *options, "--bind", "127.0.0.1", "--dir", folder],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"redis://127.0.0.1:{port}/0"
            client, deadline = redis.Redis.from_url(url), time.monotonic() + timeout
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not answer on port {port}") from None
                    time.sleep(0.02)
            client.close()
            yield url
        finally:
            server.terminate()
            try:
                server.wait(5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
