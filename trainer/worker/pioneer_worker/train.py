"""One fine-tune, top to bottom: spec -> data -> model -> optimise -> evaluate -> save.

Events (progress, metric, done) go to stdout as JSON lines; see events.py.
"""

from __future__ import annotations

import math
import platform
import random
import time
from collections import Counter
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from . import __version__
from .config import TrainConfig
from .data import IGNORE_INDEX, Encoded, collate, encode, label_set, length_bucketed_batches, read_jsonl
from .events import emit, log
from .model import Student, add_lora, load_encoder, load_student, load_tokenizer, resolve_base_model, save_student
from .predict import predict
from .runtime import autocast_dtype, configure


def weights_layout(strategy: str, warm_started: bool) -> str:
    """What the model directory must hold: a warm start from a tuned encoder cannot be rebuilt from
    the base model plus a head or an adapter, so it is saved whole."""
    return "full" if warm_started else strategy


def copy_shared_head_rows(source: torch.nn.Linear, source_labels: list[str], target: torch.nn.Linear, labels: list[str]) -> None:
    """Labels the parent knew keep their head rows; new labels keep their fresh initialisation."""
    with torch.no_grad():
        for i, label in enumerate(labels):
            if label in source_labels:
                j = source_labels.index(label)
                target.weight[i] = source.weight[j]
                target.bias[i] = source.bias[j]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def class_weight_tensor(config: TrainConfig, labels: list[str], counts: Counter) -> torch.Tensor | None:
    if config.class_weights is None:
        return None
    if config.class_weights == "balanced":
        total = sum(counts.values())
        return torch.tensor([total / (len(labels) * counts[l]) if counts[l] else 1.0 for l in labels])
    assert isinstance(config.class_weights, dict)
    return torch.tensor([float(config.class_weights.get(l, 1.0)) for l in labels])


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite: the weights are garbage, so nothing is saved."""

    def __init__(self, step: int, loss: float, learning_rate: float):
        super().__init__(f"the training loss became {loss} at step {step}; nothing was saved. Lower the learning rate "
                         f"(it was {learning_rate}) or check the data for extreme example weights")
        self.field = "learning_rate"


def weighted_loss(logits: torch.Tensor, targets: torch.Tensor, example_weights: torch.Tensor,
                  class_weights: torch.Tensor | None, label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy averaged with per-example weights (and optional per-class weights and label smoothing)."""
    if logits.dim() == 3:  # token classification: one row per sub-word, weights repeated per sub-word
        example_weights = example_weights[:, None].expand_as(targets).reshape(-1)
        logits, targets = logits.reshape(-1, logits.size(-1)), targets.reshape(-1)
    per_item = F.cross_entropy(logits.float(), targets, weight=class_weights, ignore_index=IGNORE_INDEX,
                               reduction="none", label_smoothing=label_smoothing)
    mask = (targets != IGNORE_INDEX).float() * example_weights
    return (per_item * mask).sum() / mask.sum().clamp(min=1e-9)


def optimizer_step(loss: torch.Tensor, trainable, optimizer, scheduler, step: int, learning_rate: float) -> None:
    """Backward, clip to norm 1, step the optimizer and the schedule. A loss that is not finite stops
    training: nothing is saved (a model directory without pioneer.json is incomplete by design)."""
    if not torch.isfinite(loss):
        raise TrainingDiverged(step, float(loss.item()), learning_rate)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(trainable, 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)


class Progress:
    """Throttled progress events: at most ~2 a second, always the first and last step."""

    def __init__(self, total: int, stage: str, batch_size: int):
        self.total, self.stage, self.batch_size = total, stage, batch_size
        self.start = time.perf_counter()
        self.last_emit = 0.0
        self.loss_ema: float | None = None

    def update(self, step: int, epoch: float, loss: float) -> None:
        self.loss_ema = loss if self.loss_ema is None else 0.9 * self.loss_ema + 0.1 * loss
        now = time.perf_counter()
        if step not in (1, self.total) and now - self.last_emit < 0.5:
            return
        self.last_emit = now
        elapsed = now - self.start
        emit("progress", stage=self.stage, step=step, total=self.total, epoch=round(epoch, 3),
             loss=round(self.loss_ema, 5), eta_s=round(elapsed / step * (self.total - step), 1),
             examples_per_s=round(step * self.batch_size / max(elapsed, 1e-9), 1))


def evaluate_dev(student: Student, tokenizer, manifest: dict[str, Any], dev, device) -> dict[str, float]:
    preds = predict(student, tokenizer, manifest, dev, device=device)
    if manifest["kind"] == "classification":
        correct = sum(p["label"] == ex.label for p, ex in zip(preds, dev))
        return {"accuracy": correct / len(dev)}
    from seqeval.metrics import f1_score
    from seqeval.scheme import IOB2

    return {"entity_f1": f1_score([ex.tags for ex in dev], [p["tags"] for p in preds], mode="strict", scheme=IOB2)}


def _head_features(student: Student, encoded: list[Encoded], pad_id: int, kind: str, device, batch_size: int = 128):
    """Frozen-encoder features, computed once: one vector per example (classification) or per
    labelled word (token classification), with the matching targets and weights."""
    feats, targets, weights = [], [], []
    lengths = [len(e.input_ids) for e in encoded]
    dtype = autocast_dtype(device)
    done = 0
    with torch.no_grad():
        for idx in length_bucketed_batches(lengths, batch_size, rng=None):
            batch = collate([encoded[i] for i in idx], pad_id, kind)
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                f = student.features(batch["input_ids"].to(device), batch["attention_mask"].to(device)).float()
            if kind == "classification":
                feats.append(f)
                targets.append(batch["labels"].to(device))
                weights.append(batch["weight"].to(device))
            else:
                keep = batch["labels"] != IGNORE_INDEX
                feats.append(f[keep.to(device)])
                targets.append(batch["labels"][keep].to(device))
                weights.append(batch["weight"][:, None].expand_as(keep)[keep].to(device))
            done += len(idx)
            emit("progress", stage="embed", step=done, total=len(encoded))
    return torch.cat(feats), torch.cat(targets), torch.cat(weights)


def train(config: TrainConfig) -> dict[str, Any]:
    started = time.perf_counter()
    # 1. Runtime and reproducibility.
    device = configure(config.device, config.threads)
    seed_everything(config.seed)
    log(f"training {config.strategy} {config.kind} on {device} with {torch.get_num_threads()} threads")

    # 2. Data and label set.
    train_examples = read_jsonl(config.train_path, config.kind)
    dev_examples = read_jsonl(config.dev_path, config.kind) if config.dev_path else None
    labels = config.labels or label_set(train_examples, config.kind)
    label_index = {label: i for i, label in enumerate(labels)}
    gold = [ex.label for ex in train_examples] if config.kind == "classification" else [t for ex in train_examples for t in ex.tags or []]
    unknown = sorted({g for g in gold if g not in label_index})
    if unknown:
        raise ValueError(f"training labels missing from the spec's label set: {unknown[:10]}")
    counts = Counter(gold)

    # 3. Model: pretrained encoder + fresh head; freeze or adapt by strategy.
    #    A warm start takes the parent's (merged) encoder and the head rows of the labels it shares.
    parent = load_student(config.init_from, torch.device("cpu")) if config.init_from else None
    if parent is not None and parent[2]["kind"] != config.kind:
        raise ValueError(f"init_from model is a {parent[2]['kind']} model; this job is {config.kind}")
    base_path = resolve_base_model(parent[2]["base_model"] if parent else config.model)
    tokenizer = load_tokenizer(base_path)
    encoder = parent[0].encoder if parent else load_encoder(base_path)
    if config.strategy == "lora":
        encoder = add_lora(encoder, config.lora_r, config.lora_alpha, config.lora_dropout)
    # A warm start from a zero-shot model keeps its unit-length features: its head rows score cosines.
    normalize = bool(parent[2].get("normalize_features", False)) if parent else False
    student = Student(encoder, len(labels), config.kind, config.dropout, normalize=normalize)
    if parent is not None:
        copy_shared_head_rows(parent[0].head, parent[2]["labels"], student.head, labels)
    student = student.to(device)
    if config.strategy == "head":
        student.encoder.requires_grad_(False)
    encoded = encode(train_examples, tokenizer, config.kind, label_index, config.max_length)
    class_weights = class_weight_tensor(config, labels, counts)
    if class_weights is not None:
        class_weights = class_weights.to(device)

    # 4. Schedule: AdamW with linear warm-up and decay over every step. Head-only first caches the
    #    frozen encoder's features, so an epoch there is a pass over examples (or words) in memory.
    n_items = len(encoded)
    if config.strategy == "head":
        feats, targets, weights = _head_features(student, encoded, tokenizer.pad_token_id, config.kind, device)
        generator = torch.Generator().manual_seed(config.seed)
        n_items = len(feats)
    steps_per_epoch = math.ceil(n_items / config.batch_size)
    total_steps = math.ceil(steps_per_epoch * config.epochs)
    if config.max_steps is not None:
        total_steps = min(total_steps, config.max_steps)
    trainable = [p for p in student.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)
    warmup = int(total_steps * config.warmup_ratio)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / max(1, warmup) if s < warmup else max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    manifest: dict[str, Any] = {
        "format": 1, "kind": config.kind, "labels": labels, "base_model": parent[2]["base_model"] if parent else config.model,
        "weights": weights_layout(config.strategy, warm_started=parent is not None and parent[2]["weights"] != "head"),
        "parent_model": config.init_from, "normalize_features": normalize,
        "strategy": config.strategy, "oos_label": config.oos_label, "confidence_threshold": config.confidence_threshold,
        "max_length": config.max_length, "config": config.to_dict(), "label_counts": dict(counts),
        "worker_version": __version__, "torch": torch.__version__, "python": platform.python_version(),
    }

    # 5. Optimise. Head-only trains on features cached once; the other strategies run the encoder.
    rng = random.Random(config.seed)
    progress = Progress(total_steps, "train", config.batch_size)
    metrics_by_epoch: list[dict[str, float]] = []
    dtype = autocast_dtype(device)
    step = 0
    dev_every = max(1, round(config.epochs / 5))  # at most ~5 dev passes, always one at the end
    student.train()
    epoch = 0
    while step < total_steps:
        if config.strategy == "head":
            order = torch.randperm(len(feats), generator=generator).tolist()
            batches = [order[s : s + config.batch_size] for s in range(0, len(order), config.batch_size)]
        else:
            batches = list(length_bucketed_batches([len(e.input_ids) for e in encoded], config.batch_size, rng))
        for idx in batches:
            if config.strategy == "head":
                logits = student.classify(feats[idx])
                loss = weighted_loss(logits, targets[idx], weights[idx], class_weights, config.label_smoothing)
            else:
                batch = collate([encoded[i] for i in idx], tokenizer.pad_token_id, config.kind)
                with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                    logits = student(batch["input_ids"].to(device), batch["attention_mask"].to(device))
                loss = weighted_loss(logits, batch["labels"].to(device), batch["weight"].to(device), class_weights,
                                     config.label_smoothing)
            optimizer_step(loss, trainable, optimizer, scheduler, step + 1, config.learning_rate)
            step += 1
            progress.update(step, epoch + (step - epoch * len(batches)) / len(batches), loss.item())
            if step >= total_steps:
                break
        epoch += 1
        if dev_examples is not None and (epoch % dev_every == 0 or step >= total_steps):
            scores = evaluate_dev(student, tokenizer, manifest, dev_examples, device)
            metrics_by_epoch.append(scores)
            for name, value in scores.items():
                emit("metric", name=name, value=round(value, 5), split="dev", epoch=epoch)
            student.train()

    # 6. Save: the model directory is complete once pioneer.json is written.
    student.eval()
    wall = time.perf_counter() - started
    metrics: dict[str, Any] = {
        "train_loss": round(progress.loss_ema or 0.0, 5), "steps": step, "epochs_run": epoch,
        "train_examples": len(train_examples), "wall_s": round(wall, 2),
        "examples_per_s": round(step * config.batch_size / max(wall, 1e-9), 1),
        "device": device.type, "threads": torch.get_num_threads(),
    }
    if metrics_by_epoch:
        metrics["dev"] = metrics_by_epoch[-1]
    manifest["metrics"] = metrics
    save_student(student, tokenizer, config.out_dir, manifest)
    emit("done", artifacts={"model_dir": config.out_dir}, metrics=metrics)
    return metrics
