import { z } from "zod";

/** Zod fields shared by the memory's records. */

export const Id = z.string().min(1, "must not be empty");

/** A text, or tokens / tags (token tasks) that the memory stores joined with single spaces. */
export const TextOrTokens = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === "string" ? v : v.join(" ")));

/** A value that survives JSON.stringify and back unchanged. */
export const JsonValue = z.json();

/** An ISO-8601 timestamp as the memory stores it. */
export const IsoTimestamp = z.string().min(1);
