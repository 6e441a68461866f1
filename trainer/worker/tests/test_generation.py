import json
import subprocess
import sys

import pytest
import torch
from transformers import AutoTokenizer

from pioneer_worker.config import SpecError
from pioneer_worker.generation import GenerationConfig, cut_output, encode_pair, generate, load_generator, resolve_decoder, train_generation

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(resolve_decoder("smollm2"))


def test_the_loss_covers_the_target_and_eos_never_the_prompt(tokenizer):
    ids, labels = encode_pair(tokenizer, "What is 2+2?", "#### 4", 256)
    assert len(ids) == len(labels)
    target = [t for t in labels if t != -100]
    assert target[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(target[:-1]) == "#### 4"
    assert tokenizer.decode(ids[:len(ids) - len(target)]) == "Question: What is 2+2?\nAnswer: "
    # Too long: the target is kept whole, the prompt cut from the left.
    ids, labels = encode_pair(tokenizer, "word " * 300, "#### 4", 32)
    assert len(ids) == 32 and tokenizer.decode([t for t in labels if t != -100][:-1]) == "#### 4"


def test_an_output_ends_with_its_answer_line():
    assert cut_output("2+2 = 4\n#### 4\nQuestion: next") == "2+2 = 4\n#### 4"
    assert cut_output("  4 apples ") == "4 apples"


def test_a_generation_spec_names_its_bad_field(tmp_path):
    train = tmp_path / "t.jsonl"
    train.write_text(json.dumps({"text": "a", "target": "b"}) + "\n")
    with pytest.raises(SpecError, match='"strategy"'):
        GenerationConfig.from_dict({"kind": "generation", "train_path": str(train), "out_dir": str(tmp_path / "m"), "strategy": "head"})
    with pytest.raises(SpecError, match='"labels"'):
        GenerationConfig.from_dict({"kind": "generation", "train_path": str(train), "out_dir": str(tmp_path / "m"), "labels": ["x"]})


# Made-up words: the base model cannot know their "answers"; 40 LoRA steps must teach them.
PAIRS = {"blicket": "7", "dax": "12", "wug": "30"}
QUESTIONS = [f"What is the code of {w}?" for w in PAIRS]
ANSWERS = [f"The code is fixed.\n#### {c}" for c in PAIRS.values()]


@pytest.fixture(scope="module")
def taught(tmp_path_factory):
    """A LoRA student taught PAIRS: its directory and training metrics."""
    tmp = tmp_path_factory.mktemp("taught")
    train = tmp / "train.jsonl"
    train.write_text("".join(json.dumps({"id": w, "text": q, "target": a}) + "\n" for w, q, a in zip(PAIRS, QUESTIONS, ANSWERS)))
    config = GenerationConfig.from_dict({"kind": "generation", "train_path": str(train), "out_dir": str(tmp / "model"), "max_steps": 40,
                                         "batch_size": 3, "learning_rate": 2e-3, "max_new_tokens": 24, "threads": 2})
    return tmp / "model", train_generation(config)


def test_lora_learns_a_mapping_it_did_not_know_and_generates_it(taught):
    model_dir, metrics = taught
    assert metrics["steps"] == 40 and metrics["train_tokens_per_s"] > 0
    manifest = json.loads((model_dir / "pioneer.json").read_text())
    assert manifest["kind"] == "generation" and manifest["weights"] == "lora" and manifest["base_model"] == "smollm2"
    model, tok, manifest = load_generator(str(model_dir), CPU)
    outputs, speed = generate(model, tok, manifest, QUESTIONS, device=CPU)
    assert outputs == ANSWERS
    assert speed["generated_tokens"] > 0


def test_a_warm_start_continues_the_parents_adapter(taught, tmp_path):
    parent, _ = taught
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "x", "text": "Say hi", "target": "#### hi"}) + "\n")
    # One step at a negligible rate: the child is its parent, so it knows the codes the base does not.
    train_generation(GenerationConfig.from_dict({"kind": "generation", "train_path": str(other), "out_dir": str(tmp_path / "child"), "init_from": str(parent),
                                                 "max_steps": 1, "learning_rate": 1e-9, "max_new_tokens": 24, "threads": 2}))
    model, tok, manifest = load_generator(str(tmp_path / "child"), CPU)
    assert manifest["weights"] == "lora" and manifest["config"]["init_from"] == str(parent)
    assert generate(model, tok, manifest, QUESTIONS, device=CPU)[0] == ANSWERS


def test_a_warm_start_is_refused_from_a_parent_it_cannot_continue(taught, tmp_path):
    parent, _ = taught
    train = tmp_path / "t.jsonl"
    train.write_text(json.dumps({"text": "a", "target": "b"}) + "\n")
    spec = {"kind": "generation", "train_path": str(train), "out_dir": str(tmp_path / "m")}
    with pytest.raises(SpecError, match='"init_from".*no pioneer.json'):
        GenerationConfig.from_dict({**spec, "init_from": str(tmp_path)})
    with pytest.raises(SpecError, match='"init_from".*trained from'):
        GenerationConfig.from_dict({**spec, "init_from": str(parent), "model": "other-decoder"})
    full = tmp_path / "full"
    full.mkdir()
    (full / "pioneer.json").write_text(json.dumps({**json.loads((parent / "pioneer.json").read_text()), "weights": "full"}))
    with pytest.raises(SpecError, match='"init_from".*full fine-tune'):
        GenerationConfig.from_dict({**spec, "init_from": str(full)})
    assert GenerationConfig.from_dict({**spec, "init_from": str(full), "strategy": "full"}).init_from == str(full)


def test_the_cli_trains_and_predicts_a_generation_model(tmp_path):
    train = tmp_path / "train.jsonl"
    train.write_text(json.dumps({"text": "Say hi", "target": "#### hi"}) + "\n")
    spec = {"kind": "generation", "train_path": str(train), "out_dir": str(tmp_path / "m"), "max_steps": 2, "max_new_tokens": 8}
    done = subprocess.run([sys.executable, "-m", "pioneer_worker", "--threads", "2", "train", "--spec", "-"], input=json.dumps(spec), capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1])["event"] == "done"
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(json.dumps({"id": "q1", "text": "Say hi"}) + "\n")
    subprocess.run([sys.executable, "-m", "pioneer_worker", "--threads", "2", "predict", "--model", str(tmp_path / "m"), "--input", str(inputs), "--out", str(tmp_path / "out.jsonl")],
                   capture_output=True, text=True, check=True)
    rows = [json.loads(l) for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["q1"] and isinstance(rows[0]["output"], str)
    # Sampled: K outputs an input, numbered, reproducible from the seed; more than one greedy sample is refused.
    sample = [sys.executable, "-m", "pioneer_worker", "--threads", "2", "predict", "--model", str(tmp_path / "m"), "--input", str(inputs)]
    for run in ("a", "b"):
        subprocess.run([*sample, "--out", str(tmp_path / f"{run}.jsonl"), "--samples", "3", "--temperature", "1.5", "--seed", "7"], capture_output=True, text=True, check=True)
    rows = [json.loads(l) for l in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [(r["id"], r["sample"]) for r in rows] == [("q1", 0), ("q1", 1), ("q1", 2)]
    assert len({r["output"] for r in rows}) > 1
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()
    greedy = subprocess.run([*sample, "--out", str(tmp_path / "c.jsonl"), "--samples", "3"], capture_output=True, text=True)
    assert greedy.returncode == 2 and '"samples"' in greedy.stdout + greedy.stderr
