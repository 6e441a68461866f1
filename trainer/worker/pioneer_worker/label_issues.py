"""Suspected label errors in a training pool, by confident learning on out-of-fold predictions.

1. Features come from the frozen base encoder (not the deployed model, which may have memorised the
   noise): one vector per text, or per word for token tasks.
2. K-fold cross-training of a linear head gives every item a predicted distribution from a model
   that never saw its label (out-of-fold `pred_probs`).
3. cleanlab's `find_label_issues` ranks items whose given label disagrees with `pred_probs` beyond
   what the estimated per-class noise rates explain. Every item also gets `label_quality`
   (self-confidence: pred_probs[i, given label]; lower is more suspect) and the suggested label.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .data import IGNORE_INDEX, Example, encode, label_set
from .events import emit, log
from .model import Student, load_encoder, load_tokenizer, resolve_base_model
from .train import _head_features


def _fit_head(x: torch.Tensor, y: torch.Tensor, n_labels: int, *, epochs: int, seed: int, lr: float = 5e-3) -> torch.nn.Linear:
    generator = torch.Generator().manual_seed(seed)
    head = torch.nn.Linear(x.size(1), n_labels)
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=0.01)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for s in range(0, len(x), 64):
            idx = order[s : s + 64]
            loss = F.cross_entropy(head(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return head


def out_of_fold_probs(x: torch.Tensor, y: torch.Tensor, groups: np.ndarray, n_labels: int, *, folds: int, seed: int,
                      epochs: int) -> np.ndarray:
    """pred_probs[i] from a head trained on the folds that do not hold item i's group (sentence)."""
    unique_groups = sorted(set(groups.tolist()))
    random.Random(seed).shuffle(unique_groups)
    fold_of_group = {g: i % folds for i, g in enumerate(unique_groups)}
    fold = np.array([fold_of_group[g] for g in groups.tolist()])
    probs = np.zeros((len(x), n_labels), dtype=np.float32)
    for k in range(folds):
        train_idx = torch.from_numpy(np.where(fold != k)[0])
        held_idx = torch.from_numpy(np.where(fold == k)[0])
        head = _fit_head(x[train_idx], y[train_idx], n_labels, epochs=epochs, seed=seed + k)
        with torch.no_grad():
            probs[held_idx.numpy()] = torch.softmax(head(x[held_idx]), dim=-1).numpy()
        emit("progress", stage="crossval", step=k + 1, total=folds)
    return probs


def find_issues(examples: list[Example], kind: str, *, model: str = "minilm", folds: int = 5, seed: int = 0,
                epochs: int = 20, device: torch.device) -> list[dict[str, Any]]:
    from cleanlab.filter import find_label_issues

    torch.manual_seed(seed)
    labels = label_set(examples, kind)
    index = {label: i for i, label in enumerate(labels)}
    path = resolve_base_model(model)
    tokenizer = load_tokenizer(path)
    student = Student(load_encoder(path), len(labels), kind).to(device).eval()
    encoded = encode(examples, tokenizer, kind, index, 128 if kind == "token" else 64)
    feats, targets, _ = _head_features(student, encoded, tokenizer.pad_token_id, kind, device)
    feats, targets = feats.cpu(), targets.cpu()
    # _head_features walks examples in length order; recover which example each item belongs to.
    from .data import length_bucketed_batches

    order = [i for batch in length_bucketed_batches([len(e.input_ids) for e in encoded], 128, rng=None) for i in batch]
    if kind == "classification":
        owner = np.array(order)
        word_of_item = [None] * len(order)
    else:
        owner_list, word_list = [], []
        for i in order:
            previous = None
            for position, w in enumerate(encoded[i].word_ids):
                if w is not None and w != previous and encoded[i].target[position] != IGNORE_INDEX:
                    owner_list.append(i)
                    word_list.append(w)
                previous = w
        owner, word_of_item = np.array(owner_list), word_list
    assert len(owner) == len(feats), "feature/owner bookkeeping out of step"
    # Classes with fewer members than folds cannot be cross-validated meaningfully; cleanlab needs >= 1.
    n_folds = max(2, min(folds, int(np.bincount(targets.numpy(), minlength=len(labels)).max())))
    probs = out_of_fold_probs(feats, targets, owner, len(labels), folds=n_folds, seed=seed, epochs=epochs)
    given = targets.numpy()
    present = np.unique(given)
    # cleanlab expects every class in 0..K-1 to occur; restrict to the classes present.
    remap = {c: i for i, c in enumerate(present)}
    sub_probs = probs[:, present]
    sub_probs = sub_probs / sub_probs.sum(axis=1, keepdims=True).clip(min=1e-12)
    issues = find_label_issues(np.array([remap[c] for c in given]), sub_probs, filter_by="prune_by_noise_rate")
    log(f"label issues: {int(issues.sum())} of {len(given)} {'words' if kind == 'token' else 'examples'}")

    if kind == "classification":
        rows: list[dict[str, Any] | None] = [None] * len(examples)
        for item, ex_i in enumerate(owner.tolist()):
            p = probs[item]
            top = int(p.argmax())
            rows[ex_i] = {"id": examples[ex_i].id, "label": examples[ex_i].label, "suggested": labels[top],
                          "suggested_prob": round(float(p[top]), 5), "label_quality": round(float(p[given[item]]), 5),
                          "is_issue": bool(issues[item])}
        return [r for r in rows if r is not None]

    per_sentence: dict[int, list[dict[str, Any]]] = {}
    quality: dict[int, float] = {}
    for item, ex_i in enumerate(owner.tolist()):
        p = probs[item]
        q = float(p[given[item]])
        quality[ex_i] = min(quality.get(ex_i, 1.0), q)
        if issues[item]:
            top = int(p.argmax())
            per_sentence.setdefault(ex_i, []).append({"index": word_of_item[item], "tag": labels[given[item]],
                                                      "suggested": labels[top], "suggested_prob": round(float(p[top]), 5),
                                                      "label_quality": round(q, 5)})
    return [{"id": ex.id, "is_issue": i in per_sentence, "label_quality": round(quality.get(i, 1.0), 5),
             "token_issues": sorted(per_sentence.get(i, []), key=lambda t: t["index"])} for i, ex in enumerate(examples)]
