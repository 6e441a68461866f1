"""The training job spec: what to fine-tune, on what, and how.

Mirrors trainer/job-spec.ts (the zod JobSpec). Validated in __post_init__ with errors that name the
field, so a bad spec fails before any model is loaded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

KINDS = ("classification", "token")
STRATEGIES = ("head", "lora", "full")

# Learning rates that work for MiniLM-sized encoders; a spec value overrides them.
DEFAULT_LEARNING_RATE = {"head": 5e-3, "lora": 1e-3, "full": 1e-4}
DEFAULT_EPOCHS = {"head": 30.0, "lora": 8.0, "full": 5.0}
DEFAULT_MAX_LENGTH = {"classification": 64, "token": 128}


class SpecError(ValueError):
    """A job spec field is missing or invalid. `field` names it."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f'job spec field "{field_name}": {message}')
        self.field = field_name


def read_spec_file(path: str) -> dict[str, Any]:
    """A job spec file's JSON object; a file that is not one is a SpecError."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise SpecError("<file>", f"{path} is not valid JSON: {err}") from err
    if not isinstance(raw, dict):
        raise SpecError("<file>", f"{path} must hold a JSON object")
    return raw


def spec_from_dict(cls, raw: dict[str, Any]):
    """A job spec dataclass from JSON: an unknown or missing field is a SpecError naming it."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SpecError(unknown[0], f"unknown field (known: {', '.join(sorted(known))})")
    for required in ("kind", "train_path", "out_dir"):
        if required not in raw:
            raise SpecError(required, "is required")
    return cls(**raw)


@dataclass
class TrainConfig:
    kind: str = field(metadata={"help": "classification (one label per text) or token (BIO tags per token)"})
    train_path: str = field(metadata={"help": "JSONL of {id,text,label[,weight]} or {id,tokens,tags[,weight]}"})
    out_dir: str = field(metadata={"help": "directory the trained model is written to"})
    model: str = field(default="minilm", metadata={"help": "minilm (packaged all-MiniLM-L6-v2), a HF id or a local dir"})
    strategy: str = field(default="full", metadata={"help": "head (frozen encoder), lora (PEFT) or full fine-tune"})
    init_from: str | None = field(default=None, metadata={"help": "Pioneer model dir to warm-start from (encoder and the head rows of shared labels)"})
    dev_path: str | None = field(default=None, metadata={"help": "optional JSONL scored after every epoch"})
    labels: list[str] | None = field(default=None, metadata={"help": "label (or tag) set in output order; default: sorted from train"})
    epochs: float | None = field(default=None, metadata={"help": "passes over the training data; default depends on strategy"})
    max_steps: int | None = field(default=None, metadata={"help": "stop after this many optimizer steps (tiny budgets, tests)"})
    learning_rate: float | None = field(default=None, metadata={"help": "peak learning rate; default depends on strategy"})
    batch_size: int = field(default=32, metadata={"help": "examples per optimizer step"})
    max_length: int | None = field(default=None, metadata={"help": "sub-word tokens kept per input; default 64 (text) / 128 (token)"})
    seed: int = field(default=0, metadata={"help": "same seed and data give the same model"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    warmup_ratio: float = field(default=0.06, metadata={"help": "share of steps with linear warm-up"})
    dropout: float = field(default=0.1, metadata={"help": "dropout before the classification head"})
    class_weights: dict[str, float] | str | None = field(default=None, metadata={"help": "'balanced' or {label: weight}"})
    label_smoothing: float = field(default=0.0, metadata={"help": "share of each target's probability spread evenly over all labels"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator"})
    lora_dropout: float = field(default=0.05, metadata={"help": "LoRA dropout"})
    confidence_threshold: float = field(default=0.5, metadata={"help": "predictions below this top probability are flagged"})
    oos_label: str | None = field(default=None, metadata={"help": "out-of-scope label (e.g. CLINC150 'oos'), a class like any other"})
    device: str = field(default="auto", metadata={"help": "auto, cpu or cuda"})
    threads: int | None = field(default=None, metadata={"help": "torch CPU threads; default chosen by measurement"})

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError("kind", f"expected one of {KINDS}, got {self.kind!r}")
        if self.strategy not in STRATEGIES:
            raise SpecError("strategy", f"expected one of {STRATEGIES}, got {self.strategy!r}")
        if not self.train_path or not Path(self.train_path).is_file():
            raise SpecError("train_path", f"file not found: {self.train_path!r}")
        if self.init_from is not None and not (Path(self.init_from) / "pioneer.json").is_file():
            raise SpecError("init_from", f"not a trained Pioneer model directory: {self.init_from!r}")
        if self.dev_path is not None and not Path(self.dev_path).is_file():
            raise SpecError("dev_path", f"file not found: {self.dev_path!r}")
        if not self.out_dir:
            raise SpecError("out_dir", "must be a directory path")
        if self.epochs is None:
            self.epochs = DEFAULT_EPOCHS[self.strategy]
        if not (self.epochs > 0):
            raise SpecError("epochs", f"must be > 0, got {self.epochs}")
        if self.max_steps is not None and self.max_steps < 1:
            raise SpecError("max_steps", f"must be >= 1, got {self.max_steps}")
        if self.batch_size < 1:
            raise SpecError("batch_size", f"must be >= 1, got {self.batch_size}")
        if self.learning_rate is None:
            self.learning_rate = DEFAULT_LEARNING_RATE[self.strategy]
        if not (self.learning_rate > 0):
            raise SpecError("learning_rate", f"must be > 0, got {self.learning_rate}")
        if self.max_length is None:
            self.max_length = DEFAULT_MAX_LENGTH[self.kind]
        if not (8 <= self.max_length <= 512):
            raise SpecError("max_length", f"must be in [8, 512], got {self.max_length}")
        if not (0.0 <= self.confidence_threshold <= 1.0):
            raise SpecError("confidence_threshold", f"must be in [0, 1], got {self.confidence_threshold}")
        if not (0.0 <= self.label_smoothing < 1.0):
            raise SpecError("label_smoothing", f"must be in [0, 1), got {self.label_smoothing}")
        if isinstance(self.class_weights, str) and self.class_weights != "balanced":
            raise SpecError("class_weights", f"expected 'balanced' or a {{label: weight}} object, got {self.class_weights!r}")
        if isinstance(self.class_weights, dict):
            for label, weight in self.class_weights.items():
                if not isinstance(weight, (int, float)) or weight <= 0:
                    raise SpecError("class_weights", f"weight of {label!r} must be a positive number, got {weight!r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise SpecError("device", f"expected auto, cpu or cuda, got {self.device!r}")
        if self.threads is not None and self.threads < 1:
            raise SpecError("threads", f"must be >= 1, got {self.threads}")
        if self.labels is not None and len(set(self.labels)) != len(self.labels):
            raise SpecError("labels", "contains duplicates")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "TrainConfig":
        return spec_from_dict(cls, raw)

    @classmethod
    def from_file(cls, path: str) -> "TrainConfig":
        return cls.from_dict(read_spec_file(path))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
