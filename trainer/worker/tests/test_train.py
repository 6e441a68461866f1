"""Real fine-tunes of the packaged MiniLM on small slices with a few optimizer steps."""

import json
import math

import pytest
import torch
from safetensors.torch import load_file

from pioneer_worker.config import TrainConfig
from pioneer_worker.data import read_jsonl
from pioneer_worker.model import load_student, read_manifest
from pioneer_worker.predict import predict
from pioneer_worker.train import train, weighted_loss


def spec(paths, out, **over):
    return TrainConfig.from_dict({"kind": "classification", "train_path": str(paths["train"]), "out_dir": str(out),
                                  "max_steps": 3, "batch_size": 16, "threads": 1, **over})


def test_same_seed_same_model_and_other_seed_differs(banking_slice, tmp_path):
    train(spec(banking_slice, tmp_path / "a", strategy="full", seed=3))
    train(spec(banking_slice, tmp_path / "b", strategy="full", seed=3))
    train(spec(banking_slice, tmp_path / "c", strategy="full", seed=4))
    a, b, c = (load_file(str(tmp_path / n / "head.safetensors"))["weight"] for n in "abc")
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    enc_a = load_file(str(tmp_path / "a" / "encoder" / "model.safetensors"))
    enc_b = load_file(str(tmp_path / "b" / "encoder" / "model.safetensors"))
    assert all(torch.equal(enc_a[k], enc_b[k]) for k in enc_a)


@pytest.mark.parametrize("strategy, saved", [("head", []), ("lora", ["adapter"]), ("full", ["encoder"])])
def test_each_strategy_saves_its_layout_and_predicts(banking_slice, tmp_path, strategy, saved):
    out = tmp_path / strategy
    metrics = train(spec(banking_slice, out, strategy=strategy, dev_path=str(banking_slice["dev"])))
    assert metrics["steps"] == 3 and "accuracy" in metrics["dev"]
    for folder in ["adapter", "encoder"]:
        assert (out / folder).exists() == (folder in saved)
    manifest = read_manifest(str(out))
    assert manifest["weights"] == strategy and manifest["config"]["seed"] == 0 and len(manifest["labels"]) == 8
    student, tok, manifest = load_student(str(out), torch.device("cpu"))
    dev = read_jsonl(str(banking_slice["dev"]), "classification")
    preds = predict(student, tok, manifest, dev, device=torch.device("cpu"))
    assert [p["id"] for p in preds] == [ex.id for ex in dev]
    for p in preds:
        assert set(p["probs"]) == set(manifest["labels"])
        assert math.isclose(sum(p["probs"].values()), 1.0, abs_tol=1e-3)
        assert p["label"] == max(p["probs"], key=p["probs"].get)
        assert p["below_threshold"] == (p["confidence"] < 0.5)
    # The saved model reproduces the dev accuracy measured at the end of training.
    accuracy = sum(p["label"] == ex.label for p, ex in zip(preds, dev)) / len(dev)
    assert accuracy == pytest.approx(metrics["dev"]["accuracy"])


def test_head_only_learns_a_separable_task(banking_slice, tmp_path):
    metrics = train(spec(banking_slice, tmp_path / "h", strategy="head", max_steps=None, epochs=40,
                         dev_path=str(banking_slice["train"])))
    assert metrics["dev"]["accuracy"] > 0.9  # frozen MiniLM features separate 8 intents it trained on


def test_token_classification_aligns_tags_to_words(wnut_slice, tmp_path):
    out = tmp_path / "tok"
    train(TrainConfig.from_dict({"kind": "token", "train_path": str(wnut_slice["train"]), "out_dir": str(out),
                                 "strategy": "full", "max_steps": 2, "batch_size": 8, "threads": 1}))
    student, tok, manifest = load_student(str(out), torch.device("cpu"))
    assert manifest["labels"][0] == "O" and "B-person" in manifest["labels"]
    examples = read_jsonl(str(wnut_slice["train"]), "token")[:5]
    for ex, p in zip(examples, predict(student, tok, manifest, examples, device=torch.device("cpu"))):
        assert len(p["tags"]) == len(ex.tokens) == len(p["confidences"])
        assert all(0.0 <= c <= 1.0 for c in p["confidences"])
        assert all(t in manifest["labels"] for t in p["tags"])


def test_weighted_loss_respects_example_and_class_weights():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    targets = torch.tensor([0, 0])
    per = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
    w = torch.tensor([1.0, 3.0])
    assert weighted_loss(logits, targets, w, None).item() == pytest.approx(((per * w).sum() / 4).item())
    zero_second = weighted_loss(logits, targets, torch.tensor([1.0, 0.0]), None)
    assert zero_second.item() == pytest.approx(per[0].item())
    tokens = weighted_loss(logits[None], torch.tensor([[0, -100]]), torch.tensor([5.0]), None)
    assert tokens.item() == pytest.approx(per[0].item())  # ignored positions do not count


def test_label_smoothing_spreads_a_share_of_the_target_over_all_labels():
    logits = torch.tensor([[2.0, 0.0, 0.0]])
    log_p = torch.log_softmax(logits, dim=-1)[0]
    # 0.3 of the target's mass is spread evenly over all three labels: target 0.8, others 0.1 each.
    expected = -(0.8 * log_p[0] + 0.1 * log_p[1] + 0.1 * log_p[2])
    smoothed = weighted_loss(logits, torch.tensor([0]), torch.tensor([1.0]), None, label_smoothing=0.3)
    assert smoothed.item() == pytest.approx(expected.item())
    assert smoothed.item() > weighted_loss(logits, torch.tensor([0]), torch.tensor([1.0]), None).item()


def test_a_loss_that_is_not_finite_stops_training_and_saves_nothing(banking_slice, tmp_path):
    from pioneer_worker.train import TrainingDiverged

    rows = [json.loads(line) for line in open(banking_slice["train"])]
    rows[0]["weight"] = 1e300  # overflows float32: the loss becomes NaN
    data = tmp_path / "huge-weight.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "diverged"
    with pytest.raises(TrainingDiverged, match=r"the training loss became nan at step 1; nothing was saved"):
        train(spec({"train": data}, out, strategy="head"))
    assert not (out / "pioneer.json").exists()
