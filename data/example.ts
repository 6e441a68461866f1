import { z } from "zod";

/** What a data set teaches: one label per text, or one BIO tag per token. Generation (an output
 * text per input) is read by its own reader (`readGenerationExamples`). */
export const TaskKind = z.enum(["classification", "token"]);
export type TaskKind = z.infer<typeof TaskKind>;

/** What a model does: the task kinds above, or generation (output text per input). */
export const ModelKind = z.enum(["classification", "token", "generation"]);
export type ModelKind = z.infer<typeof ModelKind>;

/** `O`, or `B-X` / `I-X` with a non-empty entity type X (no whitespace). */
export const BIO_TAG = /^(?:O|[BI]-\S+)$/;

const NON_EMPTY_STRING = "expected a non-empty string";
const STRING = "expected a string";
const POSITIVE_NUMBER = "expected a positive number";
const BIO_MESSAGE = "expected a BIO tag (O, B-TYPE or I-TYPE)";

const nonEmptyString = z.string({ error: NON_EMPTY_STRING }).min(1, { error: NON_EMPTY_STRING });

/** A UTF-16 surrogate without its partner: not Unicode text (the tokenizers reject it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text a model can learn from: not only whitespace, no NUL byte, valid Unicode. */
const learnableText = nonEmptyString
  .refine((s) => s.trim() !== "", { error: "is only whitespace" })
  .refine((s) => !s.includes("\u0000"), { error: "holds a NUL byte; remove it" })
  .refine((s) => !LONE_SURROGATE.test(s), { error: "holds a lone UTF-16 surrogate (not valid Unicode)" });

/** A class name: learnable text without surrounding spaces (" x" and "x" would be two classes). */
const className = learnableText.refine((s) => s === s.trim(), { error: "has leading or trailing whitespace; remove it, or \" x\" and \"x\" become two classes" });

/** The largest example weight: beyond it losses overflow (a weight of 1e300 made the loss NaN). */
export const MAX_WEIGHT = 1e6;

/** Stable identity of an example within its data set (the reader turns numeric ids into strings). */
export const ExampleId = nonEmptyString;

/** Relative importance in the loss; absent means 1. */
export const ExampleWeight = z
  .number({ error: POSITIVE_NUMBER })
  .positive({ error: POSITIVE_NUMBER })
  .max(MAX_WEIGHT, { error: `expected a positive number of at most ${MAX_WEIGHT}` });

export const ClassificationExample = z.object({
  id: ExampleId,
  text: learnableText,
  label: className,
  weight: ExampleWeight.optional(),
  /** A model's predicted label, when the file holds predictions next to the gold label. */
  pred: z.string({ error: STRING }).optional(),
  /** Free-form pipeline stage marker (e.g. "seed", "synthetic", "review"). */
  stage: z.string({ error: STRING }).optional(),
});
export type ClassificationExample = z.infer<typeof ClassificationExample>;

/** One token: learnable text without whitespace (tokens are joined by spaces for memory and split again). */
const token = learnableText.refine((s) => !/[ \t\n\r]/.test(s), { error: "holds a space or line break; one token is one word" });

const tokenList = z
  .array(token, { error: "expected a non-empty array of non-empty strings" })
  .min(1, { error: "expected a non-empty array of non-empty strings" });

export const TokenExample = z
  .object({
    id: ExampleId,
    tokens: tokenList,
    tags: z.array(z.string({ error: BIO_MESSAGE }).regex(BIO_TAG, { error: BIO_MESSAGE }), {
      error: "expected an array of BIO tags (O, B-TYPE or I-TYPE)",
    }),
    weight: ExampleWeight.optional(),
    /** A model's predicted tags, one per token. */
    pred: z.array(z.string({ error: STRING }), { error: "expected an array of strings" }).optional(),
    stage: z.string({ error: STRING }).optional(),
  })
  .superRefine((example, ctx) => {
    const { tokens, tags, pred } = example;
    if (!Array.isArray(tokens)) return;
    if (Array.isArray(tags) && tags.length !== tokens.length) {
      ctx.addIssue({
        code: "custom",
        path: ["tags"],
        message: `has ${count(tags.length, "tag")} but "tokens" has ${count(tokens.length, "token")}; give exactly one tag per token`,
      });
    }
    if (Array.isArray(pred) && pred.length !== tokens.length) {
      ctx.addIssue({
        code: "custom",
        path: ["pred"],
        message: `has ${count(pred.length, "predicted tag")} but "tokens" has ${count(tokens.length, "token")}; give exactly one per token`,
      });
    }
  });
export type TokenExample = z.infer<typeof TokenExample>;

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Input text -> output text (`target`: the answer), with an optional worked rationale that leads
 * to it (chain-of-thought supervision). */
export const GenerationExample = z.object({
  id: ExampleId,
  text: learnableText,
  target: learnableText,
  rationale: learnableText.optional(),
  weight: ExampleWeight.optional(),
  /** A model's output, when the file holds predictions next to the gold target. */
  pred: z.string({ error: STRING }).optional(),
  stage: z.string({ error: STRING }).optional(),
});
export type GenerationExample = z.infer<typeof GenerationExample>;

export type Example = ClassificationExample | TokenExample;

export const ClassificationDataset = z.object({
  kind: z.literal("classification"),
  /** The file the examples were read from (as given to the reader). */
  path: z.string(),
  examples: z.array(ClassificationExample),
  /** The 1-based line where each example starts in the file, when it was read from one. */
  lines: z.array(z.number().int().positive()).optional(),
});
export type ClassificationDataset = z.infer<typeof ClassificationDataset>;

export const TokenDataset = z.object({
  kind: z.literal("token"),
  path: z.string(),
  examples: z.array(TokenExample),
  lines: z.array(z.number().int().positive()).optional(),
});
export type TokenDataset = z.infer<typeof TokenDataset>;

export const GenerationDataset = z.object({
  kind: z.literal("generation"),
  path: z.string(),
  examples: z.array(GenerationExample),
  lines: z.array(z.number().int().positive()).optional(),
});
export type GenerationDataset = z.infer<typeof GenerationDataset>;

export const Dataset = z.discriminatedUnion("kind", [ClassificationDataset, TokenDataset]);
export type Dataset = z.infer<typeof Dataset>;

export function isTokenExample(example: Example): example is TokenExample {
  return "tokens" in example;
}
