import { createHash } from "node:crypto";
import type { Embedder } from "./embedder.ts";

/** A deterministic bag-of-words embedder for tests of bookkeeping (never of similarity): each
 * lower-cased word adds ±1 to a hashed bucket; the sum is scaled to unit length. */
export class HashEmbedder implements Embedder {
  /** Texts embedded so far, in call order. */
  readonly seen: string[] = [];

  constructor(readonly dim = 16) {}

  async embed(texts: string[]): Promise<number[][]> {
    this.seen.push(...texts);
    return texts.map((text) => this.vector(text));
  }

  private vector(text: string): number[] {
    const v = new Array<number>(this.dim).fill(0);
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    for (const word of words) {
      const h = createHash("sha256").update(word).digest();
      const bucket = h.readUInt32BE(0) % this.dim;
      v[bucket] = (v[bucket] ?? 0) + ((h[4] ?? 0) & 1 ? 1 : -1);
    }
    const norm = Math.hypot(...v);
    if (norm === 0) return v.map((_, i) => (i === 0 ? 1 : 0));
    return v.map((x) => x / norm);
  }
}
