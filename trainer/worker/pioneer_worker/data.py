"""Examples in, padded tensor batches out.

The control plane validates user files (data/read-examples.ts) and hands the worker normalized
JSONL: {"id","text","label"[,"weight"]} or {"id","tokens","tags"[,"weight"]}. Labels may be absent
for prediction inputs.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import torch

IGNORE_INDEX = -100  # positions the loss skips: special tokens and non-first sub-words


class DataError(ValueError):
    def __init__(self, path: str, line: int, field: str, message: str):
        super().__init__(f"{path}:{line}: field {field!r}: {message}")
        self.path, self.line, self.field = path, line, field


@dataclass
class Example:
    id: str
    text: str | None = None
    tokens: list[str] | None = None
    label: str | None = None
    tags: list[str] | None = None
    weight: float = 1.0


def read_jsonl(path: str, kind: str) -> list[Example]:
    examples: list[Example] = []
    for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(path, line_no, "<json>", str(err)) from err
        ex_id = str(raw.get("id", f"{Path(path).stem}:{line_no}"))
        weight = float(raw.get("weight", 1.0))
        if kind == "classification":
            text = raw.get("text")
            if not isinstance(text, str) or not text:
                raise DataError(path, line_no, "text", "expected a non-empty string")
            examples.append(Example(id=ex_id, text=text, label=raw.get("label"), weight=weight))
        else:
            tokens = raw.get("tokens")
            if not isinstance(tokens, list) or not tokens:
                raise DataError(path, line_no, "tokens", "expected a non-empty list of strings")
            tags = raw.get("tags")
            if tags is not None and len(tags) != len(tokens):
                raise DataError(path, line_no, "tags", f"{len(tags)} tags for {len(tokens)} tokens")
            examples.append(Example(id=ex_id, tokens=[str(t) for t in tokens], tags=tags, weight=weight))
    if not examples:
        raise DataError(path, 0, "<file>", "no examples")
    return examples


def label_set(examples: list[Example], kind: str) -> list[str]:
    if kind == "classification":
        return sorted({ex.label for ex in examples if ex.label is not None})
    tags = {t for ex in examples for t in (ex.tags or [])}
    # Every entity type gets both its B- and I- tag, so a type seen only as B- can still continue.
    for tag in list(tags):
        if tag != "O":
            tags.update({f"B-{tag[2:]}", f"I-{tag[2:]}"})
    tags.discard("O")
    return ["O", *sorted(tags, key=lambda t: (t[2:], t[0]))]


@dataclass
class Encoded:
    """One tokenized example: sub-word ids, the word index of every sub-word (token kind) and the
    training target (label index, or per-sub-word tag indices with IGNORE_INDEX)."""

    input_ids: list[int]
    word_ids: list[int | None]
    target: int | list[int] | None
    weight: float


def encode(examples: list[Example], tokenizer, kind: str, label_index: dict[str, int], max_length: int) -> list[Encoded]:
    if kind == "classification":
        batch = tokenizer([ex.text for ex in examples], truncation=True, max_length=max_length)
        out = []
        for i, ex in enumerate(examples):
            target = label_index.get(ex.label) if ex.label is not None else None
            out.append(Encoded(batch["input_ids"][i], [], target, ex.weight))
        return out
    batch = tokenizer([ex.tokens for ex in examples], is_split_into_words=True, truncation=True, max_length=max_length)
    out = []
    for i, ex in enumerate(examples):
        word_ids = batch.word_ids(i)
        target = None
        if ex.tags is not None:
            target = []
            previous = None
            for w in word_ids:
                if w is None or w == previous:
                    target.append(IGNORE_INDEX)
                else:
                    target.append(label_index.get(ex.tags[w], IGNORE_INDEX))
                previous = w
        out.append(Encoded(batch["input_ids"][i], word_ids, target, ex.weight))
    return out


def collate(items: list[Encoded], pad_id: int, kind: str) -> dict[str, torch.Tensor]:
    width = max(len(it.input_ids) for it in items)
    input_ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    for row, it in enumerate(items):
        input_ids[row, : len(it.input_ids)] = torch.tensor(it.input_ids)
        attention[row, : len(it.input_ids)] = 1
    batch = {"input_ids": input_ids, "attention_mask": attention,
             "weight": torch.tensor([it.weight for it in items], dtype=torch.float)}
    if all(it.target is not None for it in items):
        if kind == "classification":
            batch["labels"] = torch.tensor([it.target for it in items], dtype=torch.long)
        else:
            labels = torch.full((len(items), width), IGNORE_INDEX, dtype=torch.long)
            for row, it in enumerate(items):
                labels[row, : len(it.target)] = torch.tensor(it.target)
            batch["labels"] = labels
    return batch


def length_bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random | None) -> Iterator[list[int]]:
    """Index batches of similar length (less padding, much faster on CPU). With an rng the order is
    shuffled: examples within pools of 50 batches, then the batches themselves."""
    order = list(range(len(lengths)))
    if rng is None:
        order.sort(key=lambda i: lengths[i])
        yield from (order[s : s + batch_size] for s in range(0, len(order), batch_size))
        return
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for s in range(0, len(order), pool):
        chunk = sorted(order[s : s + pool], key=lambda i: lengths[i])
        batches.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    yield from batches
