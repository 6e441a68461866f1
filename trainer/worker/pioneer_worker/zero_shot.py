"""The zero-shot classifier as a model directory: no training, the head's rows are the labels'
prototypes (the normalized mean of the normalized embeddings of each label's definition and
phrasings), features are normalized, so a logit is `scale` times a cosine similarity. It loads,
predicts and evaluates like any trained model, and a fine-tune can start from it.

An out-of-scope label, when asked for, is a row of zeros with bias `scale * oos_similarity`: it wins
exactly when no label's prototype is at least that similar to the input.

For token tasks (`kind: "token"`) the labels are entity types and every word is scored alone: a
type's prototype is the mean of the normalized encoder states of the seed examples' words of that
type (in their sentences), or, with no seed of the type, the sentence embedding of its definition and
phrasings. `O` is the zero row with bias `scale * entity_similarity`; B-X and I-X share X's
prototype, and adjacent words of one type are merged into one entity at prediction time.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from . import __version__
from .config import SpecError
from .data import Example, encode
from .embed import Embedder
from .events import emit
from .model import Student, save_student


@dataclass
class ZeroShotSpec:
    out_dir: str
    labels: list[str]
    #: Per label, the texts that describe it (definition, typical phrasings); at least its name.
    phrases: dict[str, list[str]]
    model: str = "minilm"
    scale: float = 20.0
    oos_label: str | None = None
    oos_similarity: float = 0.3
    confidence_threshold: float = 0.5
    kind: str = "classification"
    #: Token tasks: labeled sentences ({"tokens", "tags"}) whose words of each type make its prototype.
    examples: list[dict[str, Any]] | None = None
    #: Token tasks: a word is an entity of the most similar type only when at least this similar.
    entity_similarity: float = 0.4

    @staticmethod
    def from_dict(raw: dict[str, Any]) -> "ZeroShotSpec":
        labels = raw.get("labels")
        if not isinstance(labels, list) or not labels or not all(isinstance(l, str) and l.strip() for l in labels):
            raise SpecError("labels", "expected a non-empty list of label names")
        if len(set(labels)) != len(labels):
            raise SpecError("labels", "holds a label twice")
        phrases = raw.get("phrases") or {}
        if not isinstance(phrases, dict):
            raise SpecError("phrases", "expected an object of label -> list of texts")
        unknown = [k for k in phrases if k not in labels]
        if unknown:
            raise SpecError("phrases", f'names "{unknown[0]}", which is not a label')
        oos = raw.get("oos_label")
        if oos is not None and oos in labels:
            raise SpecError("oos_label", f'"{oos}" is also a label; the out-of-scope row has no prototype')
        scale = float(raw.get("scale", 20.0))
        if not scale > 0:
            raise SpecError("scale", "expected a positive number")
        if not isinstance(raw.get("out_dir"), str) or not raw["out_dir"]:
            raise SpecError("out_dir", "expected a directory path")
        kind = raw.get("kind", "classification")
        if kind not in ("classification", "token"):
            raise SpecError("kind", 'expected "classification" or "token"')
        if kind == "token" and oos is not None:
            raise SpecError("oos_label", "a token task has no out-of-scope label: O is every word that is no entity")
        examples = raw.get("examples") or []
        for i, ex in enumerate(examples):
            tokens, tags = (ex.get("tokens"), ex.get("tags")) if isinstance(ex, dict) else (None, None)
            if not isinstance(tokens, list) or not isinstance(tags, list) or len(tokens) != len(tags) or not tokens:
                raise SpecError(f"examples[{i}]", "expected {tokens, tags}: two lists of one length")
            stray = [t for t in tags if t != "O" and t[2:] not in labels]
            if stray:
                raise SpecError(f"examples[{i}].tags", f'"{stray[0]}" is not a tag of the entity types')
        return ZeroShotSpec(
            out_dir=raw["out_dir"], labels=labels,
            phrases={l: [p for p in phrases.get(l, []) if isinstance(p, str) and p.strip()] for l in labels},
            model=raw.get("model", "minilm"), scale=scale, oos_label=oos,
            oos_similarity=float(raw.get("oos_similarity", 0.3)),
            confidence_threshold=float(raw.get("confidence_threshold", 0.5)),
            kind=kind, examples=examples, entity_similarity=float(raw.get("entity_similarity", 0.4)),
        )


def readable(label: str) -> str:
    """`card_arrival`, `card-arrival` and `CardArrival` read as "card arrival"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", label).replace("_", " ").replace("-", " ").lower().strip()


def label_texts(label: str, phrases: list[str]) -> list[str]:
    """What a label's prototype averages: its phrases, or its name made readable when there are none."""
    return phrases or [readable(label)]


@torch.no_grad()
def word_states(embedder: Embedder, examples: list[dict[str, Any]]) -> list[torch.Tensor]:
    """Per example, the normalized encoder state of each word's first sub-word (words cut off by
    truncation get none: a zero row)."""
    encoded = encode([Example(id=str(i), tokens=[str(t) for t in e["tokens"]]) for i, e in enumerate(examples)],
                     embedder.tokenizer, "token", {}, 128)
    out = []
    for ex, enc in zip(examples, encoded):
        ids = torch.tensor([enc.input_ids], device=embedder.device)
        hidden = embedder.encoder(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0].float().cpu()
        states = torch.zeros(len(ex["tokens"]), hidden.shape[-1])
        previous = None
        for position, w in enumerate(enc.word_ids):
            if w is not None and w != previous:
                states[w] = F.normalize(hidden[position], dim=-1)
            previous = w
        out.append(states)
    return out


def entity_prototypes(embedder: Embedder, spec: ZeroShotSpec, texts: dict[str, list[str]]) -> tuple[list[torch.Tensor], dict[str, int]]:
    """Each type's prototype: its seed words' states, else its definition's sentence embedding."""
    words: dict[str, list[torch.Tensor]] = {label: [] for label in spec.labels}
    examples = spec.examples or []
    for ex, states in zip(examples, word_states(embedder, examples)):
        for tag, state in zip(ex["tags"], states):
            if tag != "O" and state.abs().sum() > 0:
                words[tag[2:]].append(state)
    described = [label for label in spec.labels if not words[label]]
    sentence = torch.tensor(embedder.embed([t for label in described for t in texts[label]]), dtype=torch.float32) if described else None
    prototypes, start = [], 0
    for label in spec.labels:
        if words[label]:
            prototypes.append(F.normalize(torch.stack(words[label]).mean(0), dim=-1))
        else:
            n = len(texts[label])
            prototypes.append(F.normalize(sentence[start : start + n].mean(0), dim=-1))
            start += n
    return prototypes, {label: len(words[label]) for label in spec.labels}


def build_zero_shot_tagger(spec: ZeroShotSpec, embedder: Embedder, texts: dict[str, list[str]]) -> dict[str, Any]:
    prototypes, seed_words = entity_prototypes(embedder, spec, texts)
    tags = ["O"] + [f"{p}-{label}" for label in spec.labels for p in ("B", "I")]
    student = Student(embedder.encoder, len(tags), "token", normalize=True)
    with torch.no_grad():
        student.head.weight.zero_()
        student.head.bias.zero_()
        student.head.bias[0] = spec.scale * spec.entity_similarity
        for i, prototype in enumerate(prototypes):
            student.head.weight[1 + 2 * i] = spec.scale * prototype
            student.head.weight[2 + 2 * i] = spec.scale * prototype
            student.head.bias[2 + 2 * i] = -1e-3  # B-X wins the tie; merge_adjacent_entities makes the I-X
    manifest: dict[str, Any] = {
        "format": 1, "kind": "token", "labels": tags, "base_model": spec.model, "weights": "head",
        "parent_model": None, "strategy": "head", "normalize_features": True, "merge_adjacent_entities": True,
        "oos_label": None, "confidence_threshold": spec.confidence_threshold, "max_length": 128,
        "config": {"zero_shot": True, "model": spec.model, "scale": spec.scale, "entity_similarity": spec.entity_similarity,
                   "phrases": texts, "seed_words": seed_words},
        "label_counts": {}, "metrics": {},
        "worker_version": __version__, "torch": torch.__version__, "python": platform.python_version(),
    }
    save_student(student, embedder.tokenizer, spec.out_dir, manifest)
    return {"labels": len(tags), "seed_words": sum(seed_words.values())}


def build_zero_shot(spec: ZeroShotSpec, device: torch.device) -> dict[str, Any]:
    embedder = Embedder(spec.model, device)
    if spec.kind == "token":
        return build_zero_shot_tagger(spec, embedder, {label: label_texts(label, spec.phrases[label]) for label in spec.labels})
    texts = {label: label_texts(label, spec.phrases[label]) for label in spec.labels}
    flat = [t for label in spec.labels for t in texts[label]]
    vectors = torch.tensor(embedder.embed(flat), dtype=torch.float32)
    prototypes, start = [], 0
    for label in spec.labels:
        n = len(texts[label])
        prototypes.append(F.normalize(vectors[start : start + n].mean(0), dim=-1))
        start += n
    labels = list(spec.labels) + ([spec.oos_label] if spec.oos_label else [])
    student = Student(embedder.encoder, len(labels), "classification", normalize=True)
    with torch.no_grad():
        student.head.weight.zero_()
        student.head.bias.zero_()
        student.head.weight[: len(prototypes)] = spec.scale * torch.stack(prototypes)
        if spec.oos_label:
            student.head.bias[-1] = spec.scale * spec.oos_similarity
    manifest: dict[str, Any] = {
        "format": 1, "kind": "classification", "labels": labels, "base_model": spec.model, "weights": "head",
        "parent_model": None, "strategy": "head", "normalize_features": True,
        "oos_label": spec.oos_label, "confidence_threshold": spec.confidence_threshold, "max_length": 128,
        "config": {"zero_shot": True, "model": spec.model, "scale": spec.scale, "oos_similarity": spec.oos_similarity, "phrases": texts},
        "label_counts": {}, "metrics": {},
        "worker_version": __version__, "torch": torch.__version__, "python": platform.python_version(),
    }
    save_student(student, embedder.tokenizer, spec.out_dir, manifest)
    return {"labels": len(labels), "phrases": len(flat)}


def run_zero_shot(raw: dict[str, Any], device: torch.device) -> None:
    spec = ZeroShotSpec.from_dict(raw)
    metrics = build_zero_shot(spec, device)
    emit("done", artifacts={"model_dir": spec.out_dir}, metrics=metrics)
