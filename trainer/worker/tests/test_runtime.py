import json

import torch

from pioneer_worker import runtime


def test_explicit_and_env_thread_counts_win(monkeypatch):
    assert runtime.choose_threads(3) == 3
    monkeypatch.setenv("PIONEER_THREADS", "1")
    assert runtime.choose_threads(None) == 1


def test_measurement_is_cached_per_machine(monkeypatch, tmp_path):
    monkeypatch.delenv("PIONEER_THREADS", raising=False)
    monkeypatch.setenv("PIONEER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(runtime.os, "cpu_count", lambda: 4)
    calls = []

    def fake_measure():
        calls.append(1)
        return {"1": 0.02, "2": 0.01, "4": 0.03}

    monkeypatch.setattr(runtime, "measure_threads", fake_measure)
    assert runtime.choose_threads(None) == 2  # the fastest measured count
    assert runtime.choose_threads(None) == 2
    assert len(calls) == 1  # second call read the cache
    cached = json.loads((tmp_path / "threads.json").read_text())
    assert cached[f"cpu4-torch{torch.__version__}"]["threads"] == 2


def test_cpu_without_gpu_and_no_autocast_on_cpu():
    if not torch.cuda.is_available():
        assert runtime.pick_device("auto").type == "cpu"
    assert runtime.autocast_dtype(torch.device("cpu")) is None
