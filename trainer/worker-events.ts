import { z } from "zod";

/** JSON-lines events the worker writes on stdout (trainer/worker/pioneer_worker/events.py). */
export const ProgressEvent = z.object({
  event: z.literal("progress"),
  stage: z.string(),
  step: z.number(),
  total: z.number(),
  epoch: z.number().optional(),
  loss: z.number().nullable().optional(),
  eta_s: z.number().nullable().optional(),
  examples_per_s: z.number().nullable().optional(),
});
export const MetricEvent = z.object({
  event: z.literal("metric"),
  name: z.string(),
  value: z.number().nullable(),
  split: z.string().optional(),
  epoch: z.number().optional(),
});
export const DoneEvent = z.object({
  event: z.literal("done"),
  artifacts: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()).default({}),
});
export const ErrorEvent = z.object({
  event: z.literal("error"),
  type: z.string(),
  message: z.string(),
  field: z.string().nullable().optional(),
});
export const WorkerEvent = z.discriminatedUnion("event", [ProgressEvent, MetricEvent, DoneEvent, ErrorEvent]);

export type ProgressEvent = z.infer<typeof ProgressEvent>;
export type MetricEvent = z.infer<typeof MetricEvent>;
export type DoneEvent = z.infer<typeof DoneEvent>;
export type ErrorEvent = z.infer<typeof ErrorEvent>;
export type WorkerEvent = z.infer<typeof WorkerEvent>;
