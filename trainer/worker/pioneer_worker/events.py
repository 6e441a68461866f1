"""JSON-lines events on the real stdout; everything else printed by libraries goes to stderr.

Event shapes (the TypeScript side validates them in trainer/worker-events.ts):
  {"event": "progress", "stage", "step", "total", "epoch", "loss", "eta_s", "examples_per_s"}
  {"event": "metric", "name", "value", "split", "epoch"}
  {"event": "done", "artifacts": {...}, "metrics": {...}}
  {"event": "error", "type", "message"}
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any, TextIO

_event_stream: TextIO | None = None


def claim_stdout() -> None:
    """Keep a private handle on stdout for events and point fd 1 (and sys.stdout) at stderr, so a
    stray print from a library can never corrupt the event stream."""
    global _event_stream
    if _event_stream is not None:
        return
    sys.stdout.flush()
    event_fd = os.dup(1)
    os.dup2(2, 1)
    _event_stream = os.fdopen(event_fd, "w", buffering=1, encoding="utf-8")
    sys.stdout = sys.stderr


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def emit(event: str, **fields: Any) -> None:
    stream = _event_stream or sys.stdout
    stream.write(json.dumps(_clean({"event": event, **fields}), ensure_ascii=False) + "\n")
    stream.flush()


def write_line(obj: dict[str, Any]) -> None:
    """One JSON reply a line (serve mode uses the same private stdout)."""
    stream = _event_stream or sys.stdout
    stream.write(json.dumps(_clean(obj), ensure_ascii=False) + "\n")
    stream.flush()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
