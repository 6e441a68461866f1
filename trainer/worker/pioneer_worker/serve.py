"""Long-lived mode: one JSON request a line on stdin, one JSON reply a line on stdout.

Requests: {"id": any, "op": "ping"|"predict"|"embed"|"unload"|"shutdown", ...}
  predict: {"model": DIR, "texts": [...]} or {"model": DIR, "tokens": [[...], ...]}, optional "ids", "batch_size"
  embed:   {"model": "minilm"|DIR, "texts": [...]}
Replies: {"id", "ok": true, "result": ...} or {"id", "ok": false, "error": {"type", "message"}}.
Loaded models stay in memory (least recently used first out, at most PIONEER_SERVE_MAX_MODELS).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import OrderedDict
from typing import Any

from .data import Example
from .embed import Embedder
from .events import log, write_line
from .model import load_student
from .predict import predict
from .runtime import configure


class ModelCache:
    def __init__(self, device, capacity: int):
        self.device, self.capacity = device, capacity
        self.entries: OrderedDict[tuple[str, str], Any] = OrderedDict()

    def get(self, role: str, name: str):
        key = (role, os.path.abspath(name) if os.path.isdir(name) else name)
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        value = load_student(name, self.device) if role == "student" else Embedder(name, self.device)
        self.entries[key] = value
        while len(self.entries) > self.capacity:
            self.entries.popitem(last=False)
        return value

    def drop(self, name: str) -> int:
        keys = [k for k in self.entries if k[1] in (name, os.path.abspath(name))]
        for k in keys:
            del self.entries[k]
        return len(keys)


def _examples(request: dict[str, Any]) -> list[Example]:
    ids = request.get("ids")
    if "texts" in request:
        items = request["texts"]
        make = lambda i, x: Example(id=str(ids[i]) if ids else str(i), text=x)
    elif "tokens" in request:
        items = request["tokens"]
        make = lambda i, x: Example(id=str(ids[i]) if ids else str(i), tokens=list(x))
    else:
        raise ValueError('predict needs "texts" or "tokens"')
    if ids is not None and len(ids) != len(items):
        raise ValueError(f'"ids" has {len(ids)} entries for {len(items)} inputs')
    return [make(i, x) for i, x in enumerate(items)]


def handle(request: dict[str, Any], cache: ModelCache) -> Any:
    op = request.get("op")
    if op == "ping":
        return {"pid": os.getpid(), "models": [k[1] for k in cache.entries]}
    if op == "predict":
        student, tokenizer, manifest = cache.get("student", request["model"])
        return predict(student, tokenizer, manifest, _examples(request), batch_size=int(request.get("batch_size", 64)), device=cache.device)
    if op == "embed":
        texts = request.get("texts")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ValueError('embed needs "texts": a list of strings')
        return cache.get("embedder", request.get("model", "minilm")).embed(texts, int(request.get("batch_size", 64)))
    if op == "unload":
        return {"unloaded": cache.drop(request["model"])}
    raise ValueError(f"unknown op {op!r} (expected ping, predict, embed, unload or shutdown)")


def serve(device_request: str = "auto", threads: int | None = None) -> None:
    device = configure(device_request, threads)
    cache = ModelCache(device, int(os.environ.get("PIONEER_SERVE_MAX_MODELS", "4")))
    write_line({"id": None, "ok": True, "result": {"ready": True, "pid": os.getpid(), "device": device.type}})
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            if request.get("op") == "shutdown":
                write_line({"id": request_id, "ok": True, "result": {"bye": True}})
                return
            started = time.perf_counter()
            result = handle(request, cache)
            write_line({"id": request_id, "ok": True, "result": result, "elapsed_s": round(time.perf_counter() - started, 4)})
        except Exception as err:  # one bad request must not take the server down
            log(f"serve: request {request_id!r} failed: {type(err).__name__}: {err}")
            write_line({"id": request_id, "ok": False, "error": {"type": type(err).__name__, "message": str(err)}})
