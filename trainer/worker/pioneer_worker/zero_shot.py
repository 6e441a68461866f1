"""The zero-shot classifier as a model directory: no training, the head's rows are the labels'
prototypes (the normalized mean of the normalized embeddings of each label's definition and
phrasings), features are normalized, so a logit is `scale` times a cosine similarity. It loads,
predicts and evaluates like any trained model, and a fine-tune can start from it.

An out-of-scope label, when asked for, is a row of zeros with bias `scale * oos_similarity`: it wins
exactly when no label's prototype is at least that similar to the input.
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
        return ZeroShotSpec(
            out_dir=raw["out_dir"], labels=labels,
            phrases={l: [p for p in phrases.get(l, []) if isinstance(p, str) and p.strip()] for l in labels},
            model=raw.get("model", "minilm"), scale=scale, oos_label=oos,
            oos_similarity=float(raw.get("oos_similarity", 0.3)),
            confidence_threshold=float(raw.get("confidence_threshold", 0.5)),
        )


def readable(label: str) -> str:
    """`card_arrival`, `card-arrival` and `CardArrival` read as "card arrival"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", label).replace("_", " ").replace("-", " ").lower().strip()


def label_texts(label: str, phrases: list[str]) -> list[str]:
    """What a label's prototype averages: its phrases, or its name made readable when there are none."""
    return phrases or [readable(label)]


def build_zero_shot(spec: ZeroShotSpec, device: torch.device) -> dict[str, Any]:
    embedder = Embedder(spec.model, device)
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
