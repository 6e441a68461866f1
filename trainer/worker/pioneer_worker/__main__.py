"""Command line of the worker: train | predict | embed | serve | threads.

  python -m pioneer_worker train --spec SPEC.json        (or --spec - for stdin)
  python -m pioneer_worker predict --model DIR --input IN.jsonl --out PREDS.jsonl
      generation models also: [--samples K --temperature T --seed S]  (K sampled outputs per input)
  python -m pioneer_worker embed --model minilm --input IN.jsonl --out EMB.jsonl
  python -m pioneer_worker label-issues --input POOL.jsonl --kind classification|token --out ISSUES.jsonl [--model minilm|DIR|HF_ID] [--folds 5]
  python -m pioneer_worker zero-shot --spec SPEC.json    (the zero-shot classifier as a model directory)
  python -m pioneer_worker serve
  python -m pioneer_worker threads                       (measure and print CPU thread timings)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback

from .events import claim_stdout, emit, log


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pioneer_worker")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--threads", type=int, default=None)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--spec", required=True)
    pr = sub.add_parser("predict")
    pr.add_argument("--model", required=True)
    pr.add_argument("--input", required=True)
    pr.add_argument("--out", required=True)
    pr.add_argument("--batch-size", type=int, default=64)
    pr.add_argument("--samples", type=int, default=1, help="generation: outputs per input (needs --temperature > 0 when more than 1)")
    pr.add_argument("--temperature", type=float, default=None, help="generation: 0 greedy; default the model's")
    pr.add_argument("--seed", type=int, default=0, help="generation: the sampling seed")
    e = sub.add_parser("embed")
    e.add_argument("--model", default="minilm")
    e.add_argument("--input", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--batch-size", type=int, default=64)
    li = sub.add_parser("label-issues")
    li.add_argument("--input", required=True)
    li.add_argument("--kind", required=True, choices=["classification", "token"])
    li.add_argument("--out", required=True)
    li.add_argument("--model", default="minilm")
    li.add_argument("--folds", type=int, default=5)
    li.add_argument("--seed", type=int, default=0)
    z = sub.add_parser("zero-shot")
    z.add_argument("--spec", required=True)
    sub.add_parser("serve")
    sub.add_parser("threads")
    return p


def _write_jsonl(path: str, rows) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def _predict_generation(args: argparse.Namespace, device, started: float) -> None:
    from .config import SpecError
    from .generation import generate, load_generator, read_generation_jsonl

    if args.samples < 1:
        raise SpecError("samples", f"must be at least 1, got {args.samples}")
    if args.temperature is not None and args.temperature < 0:
        raise SpecError("temperature", f"must be >= 0, got {args.temperature}")
    model, tokenizer, manifest = load_generator(args.model, device)
    temperature = manifest.get("temperature", 0.0) if args.temperature is None else args.temperature
    if args.samples > 1 and temperature == 0:
        raise SpecError("samples", "more than one sample of a greedy decoder repeats the same output: give --temperature > 0")
    rows = read_generation_jsonl(args.input, with_target=False)
    # Each input's samples side by side, so that they share a batch (and its prompt length).
    inputs = [(r.get("id", str(i)), j, r["text"]) for i, r in enumerate(rows) for j in range(args.samples)]
    loaded = time.perf_counter()
    outputs, speed = generate(model, tokenizer, manifest, [t for _, _, t in inputs], batch_size=min(args.batch_size, 16), device=device,
                              temperature=temperature, seed=args.seed)
    _write_jsonl(args.out, ({"id": id_, "output": o, **({"sample": j} if args.samples > 1 else {})} for (id_, j, _), o in zip(inputs, outputs)))
    emit("done", artifacts={"predictions": args.out},
         metrics={"n": len(rows), "load_s": round(loaded - started, 3), "predict_s": speed["generate_s"], **speed})


def run(args: argparse.Namespace) -> None:
    if args.command == "train":
        from .config import TrainConfig, read_spec_file
        from .generation import GenerationConfig, train_generation
        from .train import train

        raw = json.load(sys.stdin) if args.spec == "-" else read_spec_file(args.spec)
        generation = isinstance(raw, dict) and raw.get("kind") == "generation"
        config = (GenerationConfig if generation else TrainConfig).from_dict(raw)
        if args.device != "auto" and config.device == "auto":
            config.device = args.device
        (train_generation if generation else train)(config)
    elif args.command == "predict":
        from .data import read_jsonl
        from .model import load_student, read_manifest
        from .predict import predict
        from .runtime import configure

        started = time.perf_counter()
        device = configure(args.device, args.threads)
        if read_manifest(args.model)["kind"] == "generation":
            _predict_generation(args, device, started)
            return
        student, tokenizer, manifest = load_student(args.model, device)
        examples = read_jsonl(args.input, read_manifest(args.model)["kind"])
        loaded = time.perf_counter()
        preds = predict(student, tokenizer, manifest, examples, batch_size=args.batch_size, device=device)
        _write_jsonl(args.out, preds)
        elapsed = time.perf_counter() - loaded
        emit("done", artifacts={"predictions": args.out},
             metrics={"n": len(preds), "load_s": round(loaded - started, 3), "predict_s": round(elapsed, 3),
                      "examples_per_s": round(len(preds) / max(elapsed, 1e-9), 1)})
    elif args.command == "embed":
        from .data import read_jsonl
        from .embed import Embedder
        from .runtime import configure

        device = configure(args.device, args.threads)
        examples = read_jsonl(args.input, "classification")
        vectors = Embedder(args.model, device).embed([ex.text or "" for ex in examples], args.batch_size)
        _write_jsonl(args.out, ({"id": ex.id, "embedding": v} for ex, v in zip(examples, vectors)))
        emit("done", artifacts={"embeddings": args.out}, metrics={"n": len(vectors), "dim": len(vectors[0])})
    elif args.command == "label-issues":
        from .data import read_jsonl
        from .label_issues import find_issues
        from .runtime import configure

        device = configure(args.device, args.threads)
        examples = read_jsonl(args.input, args.kind)
        rows = find_issues(examples, args.kind, model=args.model, folds=args.folds, seed=args.seed, device=device)
        _write_jsonl(args.out, rows)
        emit("done", artifacts={"issues": args.out},
             metrics={"n": len(rows), "issues": sum(r["is_issue"] for r in rows)})
    elif args.command == "zero-shot":
        from .runtime import configure
        from .zero_shot import run_zero_shot

        raw = json.load(sys.stdin) if args.spec == "-" else json.loads(open(args.spec, encoding="utf-8").read())
        run_zero_shot(raw, configure(args.device, args.threads))
    elif args.command == "serve":
        from .serve import serve

        serve(args.device, args.threads)
    elif args.command == "threads":
        from .runtime import measure_threads

        emit("done", artifacts={}, metrics={"seconds_per_step_by_threads": measure_threads()})


def _die_with_parent() -> None:
    """A worker never outlives the process that launched it: a control plane killed with SIGKILL
    (OOM, kill -9) would otherwise leave a fine-tune writing into the model directory that the
    resumed run trains into. Linux only (prctl PR_SET_PDEATHSIG); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def main() -> int:
    claim_stdout()
    _die_with_parent()
    args = _parser().parse_args()
    try:
        run(args)
        return 0
    except KeyboardInterrupt:
        emit("error", type="Interrupted", message="interrupted")
        return 130
    except Exception as err:
        log(traceback.format_exc())
        emit("error", type=type(err).__name__, message=str(err), field=getattr(err, "field", None))
        return 2 if type(err).__name__ in ("SpecError", "DataError") else 1


if __name__ == "__main__":
    sys.exit(main())
