#!/usr/bin/env node
// `pioneer` / `npx pioneer`: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
