"""The demo portal in a process of its own, so that serving does not compete with a measured crawler."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PortalProcess:
    config: dict  # the crawler's site configuration for the portal
    pid: int


@contextmanager
def portal_process(
    config_path: Path, *options: str, env: Mapping[str, str] | None = None, start_timeout: float = 120
) -> Iterator[PortalProcess]:
    """Run ``python -m xxgk.portal OPTIONS --config-out CONFIG_PATH`` for the block.

    Raises RuntimeError when the portal exits, or has not written the config within ``start_timeout`` seconds.
    The portal is stopped with SIGTERM when the block ends.
    """
    command = [sys.executable, "-m", "xxgk.portal", *options, "--config-out", str(config_path)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_timeout
        while not config_path.exists():  # the portal writes it whole (rename), after its servers listen
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the demo portal did not start (exit status {process.poll()})")
            time.sleep(0.1)
        yield PortalProcess(json.loads(config_path.read_text(encoding="utf-8")), process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
