// Paraphrase-by-continuation with a tiny base model (node-llama-cpp, CPU, 1 thread).
// usage: node paraphrase.mjs SEEDS.jsonl OUT.jsonl [--target 20] [--max-calls 8] [--max-tokens 96]
//        [--temperature 0.8] [--seed 1] [--model models/gemma-3-270m-q4_k_m.gguf] [--labels A,B]
// Output: one line per generated candidate {label, text, call, seed_order}; a summary JSON on stdout
// and OUT.stats.json next to OUT.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { getLlama, LlamaCompletion } from "node-llama-cpp";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: "string", default: "20" },
    "max-calls": { type: "string", default: "8" },
    "max-tokens": { type: "string", default: "96" },
    temperature: { type: "string", default: "0.8" },
    seed: { type: "string", default: "1" },
    model: { type: "string", default: new URL("./models/gemma-3-270m-q4_k_m.gguf", import.meta.url).pathname },
    header: { type: "string", default: "Messages users sent to an assistant:" },
    labels: { type: "string" },
    // "-" (default) leaves the space to the model: Gemma's tokens carry their leading space, so a
    // prompt ending in "- " pushes it toward space-less tokens (digits) for the first word.
    prime: { type: "string", default: "-" },
  },
});
const [seedsPath, outPath] = positionals;
if (!seedsPath || !outPath) throw new Error("usage: node paraphrase.mjs SEEDS.jsonl OUT.jsonl");
const target = Number(values.target), maxCalls = Number(values["max-calls"]), maxTokens = Number(values["max-tokens"]);
const temperature = Number(values.temperature), baseSeed = Number(values.seed);

const seeds = readFileSync(seedsPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
let labels = [...new Set(seeds.map((s) => s.label))].sort();
if (values.labels) labels = values.labels.split(",");

// mulberry32, same PRNG family as the repo's lib/random.ts
function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(items, rnd) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}
const norm = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, " ").replace(/\s+/g, " ").trim();

const t0 = performance.now();
const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1 });
const model = await llama.loadModel({ modelPath: values.model });
const context = await model.createContext({ contextSize: 1024, threads: 1, batchSize: 512 });
const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
const loadS = (performance.now() - t0) / 1000;

const rnd = mulberry32(baseSeed);
const rows = [];
const perLabel = {};
let genTokens = 0, genMs = 0, calls = 0, promptTokens = 0;
const tGen = performance.now();
for (const label of labels) {
  const ls = seeds.filter((s) => s.label === label);
  const seen = new Set(ls.map((s) => norm(s.text)));
  let novel = 0, raw = 0, c = 0;
  for (; c < maxCalls && novel < target; c++) {
    const order = shuffle(ls, rnd);
    const prompt = `${values.header}\n${order.map((s) => `- ${s.text}\n`).join("")}${values.prime}`;
    let n = 0;
    const ts = performance.now();
    const res = await completion.generateCompletionWithMeta(prompt, {
      maxTokens, temperature, topP: 0.95, topK: 64, seed: baseSeed * 100003 + calls,
      customStopTriggers: ["\n\n", "\n#", "\n*"],
      onToken: (toks) => { n += toks.length; },
    });
    const dt = performance.now() - ts;
    genTokens += n; genMs += dt; calls++;
    promptTokens += model.tokenize(prompt).length;
    // First line continues the primed "- "; later lines must be bullets; stop at the first non-bullet.
    const lines = res.response.split("\n");
    const texts = [];
    // A truncated last line (maxTokens hit mid-line) is dropped.
    const complete = res.metadata.stopReason === "maxTokens" ? lines.slice(0, -1) : lines;
    complete.forEach((line, i) => {
      if (texts.done) return;
      if (i === 0) { texts.push(line); return; }
      const m = line.match(/^\s*[-•]\s+(.*)$/);
      if (!m) { texts.done = true; return; }
      texts.push(m[1]);
    });
    for (const t of texts) {
      const text = t.trim();
      if (!text) continue;
      raw++;
      rows.push({ label, text, call: c, seed_order: order.map((s) => s.id) });
      const k = norm(text);
      if (!seen.has(k)) { seen.add(k); novel++; }
    }
  }
  perLabel[label] = { calls: c, raw, novel_unique: novel };
  writeFileSync(outPath, rows.map((r) => JSON.stringify(r)).join("\n") + "\n"); // partial results survive a kill
  console.error(`${label}: ${c} calls, ${raw} raw lines, ${novel} novel unique (${((performance.now() - tGen) / 1000).toFixed(1)}s)`);
}
const genS = (performance.now() - tGen) / 1000;
writeFileSync(outPath, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
const stats = {
  model: values.model, header: values.header, prime: values.prime, temperature, top_p: 0.95, top_k: 64, max_tokens: maxTokens, target, max_calls: maxCalls,
  threads: 1, load_s: +loadS.toFixed(2), generation_wall_s: +genS.toFixed(2), calls, generated_tokens: genTokens, prompt_tokens: promptTokens,
  tokens_per_s_incl_prompt_eval: +(genTokens / (genMs / 1000)).toFixed(2), per_label: perLabel,
};
writeFileSync(outPath.replace(/\.jsonl$/, "") + ".stats.json", JSON.stringify(stats, null, 2));
console.log(JSON.stringify(stats));
await context.dispose(); await model.dispose(); await llama.dispose();
