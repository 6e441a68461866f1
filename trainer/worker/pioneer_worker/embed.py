"""Normalized sentence embeddings (mean-pooled encoder states, unit L2 norm): what the memory uses
to find similar failures and near-duplicate examples."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .data import Example, collate, encode, length_bucketed_batches
from .model import load_encoder, load_tokenizer, mean_pool, read_manifest, resolve_base_model
from .runtime import autocast_dtype

EMBED_MAX_LENGTH = 256


class Embedder:
    def __init__(self, model: str, device: torch.device):
        path = resolve_base_model(model)
        # A Pioneer model directory embeds with its base encoder: embeddings stay comparable across
        # versions, which memory look-ups rely on.
        try:
            path = resolve_base_model(read_manifest(path)["base_model"])
        except FileNotFoundError:
            pass
        self.tokenizer = load_tokenizer(path)
        self.encoder = load_encoder(path).to(device).eval()
        self.device = device
        self.dim = int(self.encoder.config.hidden_size)

    @torch.no_grad()
    def embed(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        examples = [Example(id=str(i), text=t) for i, t in enumerate(texts)]
        encoded = encode(examples, self.tokenizer, "classification", {}, EMBED_MAX_LENGTH)
        out: list[list[float] | None] = [None] * len(texts)
        dtype = autocast_dtype(self.device)
        for idx in length_bucketed_batches([len(e.input_ids) for e in encoded], batch_size, rng=None):
            batch = collate([encoded[i] for i in idx], self.tokenizer.pad_token_id, "classification")
            mask = batch["attention_mask"].to(self.device)
            with torch.autocast(self.device.type, dtype=dtype, enabled=dtype is not None):
                hidden = self.encoder(input_ids=batch["input_ids"].to(self.device), attention_mask=mask).last_hidden_state
            vectors = F.normalize(mean_pool(hidden.float(), mask), dim=-1).cpu()
            for row, i in enumerate(idx):
                out[i] = [round(v, 6) for v in vectors[row].tolist()]
        return [v for v in out if v is not None]
