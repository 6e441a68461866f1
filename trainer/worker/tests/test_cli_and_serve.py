"""The worker as the control plane sees it: a process with JSON lines on stdout."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKER_DIR = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(WORKER_DIR), "HF_HUB_OFFLINE": "1", "PIONEER_THREADS": "1"}


def run_worker(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "pioneer_worker", *args], input=stdin, capture_output=True, text=True, env=ENV, timeout=300)


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]  # every stdout line must be JSON


def test_train_emits_progress_then_done_and_nothing_else_on_stdout(banking_slice, tmp_path):
    spec = {"kind": "classification", "train_path": str(banking_slice["train"]), "out_dir": str(tmp_path / "m"),
            "strategy": "head", "max_steps": 4, "batch_size": 16}
    proc = run_worker("train", "--spec", "-", stdin=json.dumps(spec))
    assert proc.returncode == 0, proc.stderr
    evs = events(proc.stdout)
    train_progress = [e for e in evs if e["event"] == "progress" and e["stage"] == "train"]
    assert train_progress[0]["step"] == 1 and train_progress[-1]["step"] == train_progress[-1]["total"] == 4
    assert all({"loss", "eta_s", "examples_per_s"} <= set(e) for e in train_progress)
    assert evs[-1]["event"] == "done" and evs[-1]["artifacts"]["model_dir"] == spec["out_dir"]
    assert "Loading weights" not in proc.stdout  # library chatter goes to stderr


def test_bad_spec_is_an_error_event_naming_the_field(tmp_path):
    proc = run_worker("train", "--spec", "-", stdin=json.dumps({"kind": "classification", "train_path": "/nope.jsonl", "out_dir": "x"}))
    assert proc.returncode == 2
    err = events(proc.stdout)[-1]
    assert err["event"] == "error" and err["type"] == "SpecError" and err["field"] == "train_path"


def test_serve_keeps_answering_after_a_bad_request(banking_slice, tmp_path):
    out = tmp_path / "m"
    spec = {"kind": "classification", "train_path": str(banking_slice["train"]), "out_dir": str(out), "strategy": "head", "max_steps": 2}
    assert run_worker("train", "--spec", "-", stdin=json.dumps(spec)).returncode == 0
    requests = [
        {"id": 1, "op": "predict", "model": str(out), "texts": ["my card is lost", "what is the exchange rate"], "ids": ["a", "b"]},
        {"id": 2, "op": "predict", "model": str(tmp_path / "missing"), "texts": ["x"]},
        {"id": 3, "op": "embed", "texts": ["I lost my card", "my card is missing", "what's the weather"]},
        {"id": 4, "op": "frobnicate"},
        {"id": 5, "op": "ping"},
        {"id": 6, "op": "shutdown"},
    ]
    proc = run_worker("serve", stdin="".join(json.dumps(r) + "\n" for r in requests))
    replies = events(proc.stdout)
    assert replies[0]["result"]["ready"] is True
    by_id = {r["id"]: r for r in replies[1:]}
    assert [p["id"] for p in by_id[1]["result"]] == ["a", "b"]
    assert by_id[2]["ok"] is False and "pioneer.json" in by_id[2]["error"]["message"]
    a, b, c = by_id[3]["result"]
    dot = lambda x, y: sum(i * j for i, j in zip(x, y))
    assert dot(a, a) == pytest.approx(1.0, abs=1e-4)
    assert dot(a, b) > dot(a, c)  # paraphrases are closer than unrelated text
    assert by_id[4]["ok"] is False and "unknown op" in by_id[4]["error"]["message"]
    assert str(out) in by_id[5]["result"]["models"]  # the model stayed loaded
    assert by_id[6]["result"] == {"bye": True}


def test_oos_threshold_turns_unsure_answers_into_the_oos_label_after_an_unload(banking_slice, tmp_path):
    out = tmp_path / "m"
    oos = sorted({json.loads(l)["label"] for l in banking_slice["train"].read_text().splitlines()})[0]
    spec = {"kind": "classification", "train_path": str(banking_slice["train"]), "out_dir": str(out), "strategy": "head", "max_steps": 2, "oos_label": oos}
    assert run_worker("train", "--spec", "-", stdin=json.dumps(spec)).returncode == 0
    texts = ["my card is lost", "what is the exchange rate", "I want a refund"]
    server = subprocess.Popen([sys.executable, "-m", "pioneer_worker", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        def ask(request: dict) -> dict:
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        assert json.loads(server.stdout.readline())["result"]["ready"] is True
        plain = ask({"id": 1, "op": "predict", "model": str(out), "texts": texts})["result"]
        assert all("oos_fallback" not in p for p in plain)
        # Every answer is less sure than 1.0: once the manifest says so and the cached model is
        # unloaded, every in-scope answer falls back to the out-of-scope label.
        manifest = json.loads((out / "pioneer.json").read_text())
        (out / "pioneer.json").write_text(json.dumps({**manifest, "oos_threshold": 1.0}))
        assert ask({"id": 2, "op": "predict", "model": str(out), "texts": texts})["result"] == plain  # still cached
        assert ask({"id": 3, "op": "unload", "model": str(out)})["result"] == {"unloaded": 1}
        fallen = ask({"id": 4, "op": "predict", "model": str(out), "texts": texts})["result"]
        assert [p["label"] for p in fallen] == [oos] * len(texts)
        assert [p.get("oos_fallback", False) for p in fallen] == [p["label"] != oos for p in plain]
        assert [p["confidence"] for p in fallen] == [p["confidence"] for p in plain]  # the scores stay the model's
        ask({"id": 5, "op": "shutdown"})
    finally:
        server.kill()
