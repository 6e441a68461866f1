"""Batched inference: labels with their full probability distribution, or BIO tags with per-token
confidence and decoded entity spans."""

from __future__ import annotations

from typing import Any

import torch

from .data import Encoded, Example, collate, encode, length_bucketed_batches
from .model import Student
from .runtime import autocast_dtype

# Inference may read longer inputs than training truncated to; words cut off beyond this get "O".
PREDICT_MAX_LENGTH = 512


def decode_spans(tokens: list[str], tags: list[str]) -> list[dict[str, Any]]:
    """Entity spans from BIO tags, leniently: an I-X that does not continue an X starts a new one.
    `end` is exclusive (token index)."""
    spans: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for i, tag in enumerate(tags):
        kind, _, etype = tag.partition("-")
        if tag == "O" or not etype:
            current = None
            continue
        if kind == "B" or current is None or current["type"] != etype:
            current = {"type": etype, "start": i, "end": i + 1}
            spans.append(current)
        else:
            current["end"] = i + 1
    for span in spans:
        span["text"] = " ".join(tokens[span["start"] : span["end"]])
    return spans


def merge_adjacent(tags: list[str]) -> list[str]:
    """A zero-shot token model scores each word alone and always says B-X: a B-X right after a word
    of the same type continues that entity."""
    merged = list(tags)
    for i in range(1, len(merged)):
        kind, _, etype = merged[i].partition("-")
        if kind == "B" and merged[i - 1] in (f"B-{etype}", f"I-{etype}"):
            merged[i] = f"I-{etype}"
    return merged


@torch.no_grad()
def _logits_in_batches(student: Student, encoded: list[Encoded], pad_id: int, kind: str, batch_size: int, device: torch.device):
    """Yields (index, logits row) for every example, batched by length; order restored by caller."""
    dtype = autocast_dtype(device)
    lengths = [len(e.input_ids) for e in encoded]
    for idx in length_bucketed_batches(lengths, batch_size, rng=None):
        batch = collate([encoded[i] for i in idx], pad_id, kind)
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            logits = student(batch["input_ids"].to(device), batch["attention_mask"].to(device))
        probs = torch.softmax(logits.float(), dim=-1).cpu()
        for row, i in enumerate(idx):
            yield i, probs[row]


def predict(student: Student, tokenizer, manifest: dict[str, Any], examples: list[Example], *, batch_size: int = 64,
            device: torch.device) -> list[dict[str, Any]]:
    kind, labels = manifest["kind"], manifest["labels"]
    threshold = float(manifest.get("confidence_threshold", 0.5))
    # The out-of-scope fallback: an in-scope answer less confident than oos_threshold becomes the
    # out-of-scope label (the maintenance loop tunes it on the production dev set).
    oos_label, oos_threshold = manifest.get("oos_label"), manifest.get("oos_threshold")
    student.eval()
    encoded = encode(examples, tokenizer, kind, {}, PREDICT_MAX_LENGTH)
    results: list[dict[str, Any] | None] = [None] * len(examples)
    for i, probs in _logits_in_batches(student, encoded, tokenizer.pad_token_id, kind, batch_size, device):
        ex = examples[i]
        if kind == "classification":
            top = int(probs.argmax())
            confidence = float(probs[top])
            fallback = oos_label is not None and oos_threshold is not None and labels[top] != oos_label and confidence < float(oos_threshold)
            results[i] = {
                "id": ex.id,
                "label": oos_label if fallback else labels[top],
                "confidence": confidence,
                "below_threshold": confidence < threshold,
                "probs": {label: round(float(p), 6) for label, p in zip(labels, probs.tolist())},
                **({"oos_fallback": True} if fallback else {}),
            }
            continue
        n_words = len(ex.tokens or [])
        tags, confidences = ["O"] * n_words, [0.0] * n_words
        previous = None
        for position, w in enumerate(encoded[i].word_ids):
            if w is not None and w != previous:  # first sub-word of a word carries its tag
                top = int(probs[position].argmax())
                tags[w], confidences[w] = labels[top], round(float(probs[position][top]), 6)
            previous = w
        if manifest.get("merge_adjacent_entities"):
            tags = merge_adjacent(tags)
        results[i] = {"id": ex.id, "tags": tags, "confidences": confidences,
                      "spans": decode_spans(ex.tokens or [], tags)}
    return [r for r in results if r is not None]
