import json
import os
import random
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DATASETS = Path(os.environ.get("PIONEER_DATASETS", REPO.parent / "shared" / "datasets"))


def _slice(name: str, split: str, n: int, seed: int = 0) -> list[dict]:
    rows = [json.loads(line) for line in (DATASETS / name / f"{split}.jsonl").read_text().splitlines() if line.strip()]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="session")
def banking_slice(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("banking")
    rows = _slice("banking77", "train_nodev", 200)
    labels = sorted({r["label"] for r in rows})[:8]  # 8 intents keep the head small and training quick
    rows = [r for r in rows if r["label"] in labels]
    train = [{"id": f"t{i}", "text": r["text"], "label": r["label"]} for i, r in enumerate(rows)]
    return {"train": write_jsonl(d / "train.jsonl", train), "dev": write_jsonl(d / "dev.jsonl", train[:16]), "dir": d}


@pytest.fixture(scope="session")
def wnut_slice(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("wnut")
    rows = [r for r in _slice("wnut17", "train", 400) if any(t != "O" for t in r["tags"])][:48]
    train = [{"id": f"w{i}", "tokens": r["tokens"], "tags": r["tags"]} for i, r in enumerate(rows)]
    return {"train": write_jsonl(d / "train.jsonl", train), "dir": d}
