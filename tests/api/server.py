"""Run ``closeknit serve`` as a real uvicorn server on 127.0.0.1 with an ephemeral port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    db: Path,
    log: Path,
    *,
    workspace: str = "alpha",
    env: dict[str, str] | None = None,
    log_level: str = "info",
    args: tuple[str, ...] = (),
) -> Iterator[str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from closeknit.cli import main; main()",
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
        "--workspace",
        workspace,
        "--log-level",
        log_level,
        *args,
    ]
    full_env = dict(os.environ, **(env or {}))
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
