import json
import random

import torch
from safetensors.torch import load_file

from pioneer_worker.config import TrainConfig
from pioneer_worker.data import Example, read_jsonl

from .conftest import DATASETS
from pioneer_worker.label_issues import find_issues
from pioneer_worker.model import read_manifest
from pioneer_worker.train import train


def test_warm_start_keeps_shared_head_rows_and_adds_new_labels(banking_slice, tmp_path):
    rows = [json.loads(l) for l in banking_slice["train"].read_text().splitlines()]
    base = {"kind": "classification", "batch_size": 16, "threads": 1}
    train(TrainConfig.from_dict({**base, "train_path": str(banking_slice["train"]), "out_dir": str(tmp_path / "parent"),
                                 "strategy": "full", "max_steps": 2}))
    extra = rows + [{"id": f"n{i}", "text": f"can I buy bitcoin number {i}", "label": "zz_crypto"} for i in range(4)]
    child_data = tmp_path / "child.jsonl"
    child_data.write_text("".join(json.dumps(r) + "\n" for r in extra))
    train(TrainConfig.from_dict({**base, "train_path": str(child_data), "out_dir": str(tmp_path / "child"),
                                 "strategy": "head", "max_steps": 1, "learning_rate": 1e-12,
                                 "init_from": str(tmp_path / "parent")}))
    parent, child = read_manifest(str(tmp_path / "parent")), read_manifest(str(tmp_path / "child"))
    assert child["labels"] == parent["labels"] + ["zz_crypto"]
    assert child["weights"] == "full"  # head-only on a tuned encoder must save that encoder
    p_head = load_file(str(tmp_path / "parent" / "head.safetensors"))["weight"]
    c_head = load_file(str(tmp_path / "child" / "head.safetensors"))["weight"]
    assert torch.allclose(c_head[: len(parent["labels"])], p_head, atol=1e-6)
    p_enc = load_file(str(tmp_path / "parent" / "encoder" / "model.safetensors"))
    c_enc = load_file(str(tmp_path / "child" / "encoder" / "model.safetensors"))
    assert all(torch.equal(p_enc[k], c_enc[k]) for k in p_enc)  # frozen encoder came from the parent


def test_confident_learning_finds_flipped_labels():
    rows = [json.loads(l) for l in (DATASETS / "banking77" / "train_nodev.jsonl").read_text().splitlines()]
    labels = sorted({r["label"] for r in rows})[:8]
    examples = [Example(id=f"e{i}", text=r["text"], label=r["label"])
                for i, r in enumerate([r for l in labels for r in [x for x in rows if x["label"] == l][:30]])]
    rng = random.Random(0)
    flipped = set(rng.sample(range(len(examples)), k=len(examples) // 8))
    for i in flipped:
        examples[i].label = rng.choice([l for l in labels if l != examples[i].label])
    rows = find_issues(examples, "classification", folds=4, seed=0, device=torch.device("cpu"))
    assert [r["id"] for r in rows] == [ex.id for ex in examples]
    flagged = {i for i, r in enumerate(rows) if r["is_issue"]}
    precision = len(flagged & flipped) / max(1, len(flagged))
    recall = len(flagged & flipped) / len(flipped)
    assert recall >= 0.6 and precision >= 0.6, (precision, recall)
    # Flipped labels have lower self-confidence than kept ones on average.
    q = [r["label_quality"] for r in rows]
    assert sum(q[i] for i in flipped) / len(flipped) < sum(q[i] for i in range(len(q)) if i not in flipped) / (len(q) - len(flipped))


def test_token_label_issues_point_at_words(wnut_slice):
    examples = read_jsonl(str(wnut_slice["train"]), "token")
    rows = find_issues(examples, "token", folds=3, seed=0, device=torch.device("cpu"))
    assert len(rows) == len(examples)
    for row, ex in zip(rows, examples):
        assert row["is_issue"] == bool(row["token_issues"])
        for issue in row["token_issues"]:
            assert ex.tags[issue["index"]] == issue["tag"]
