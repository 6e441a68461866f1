/** Copies benchmark tables from bench/results/*.md into README.md between their markers
 * (`<!-- NAME-results -->` ... `<!-- /NAME-results -->`).  Usage: tsx bench/update-readme.ts [NAME...] */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { REPO_ROOT } from "../trainer/python-env.ts";

export function replaceSection(readme: string, name: string, body: string): string {
  const open = `<!-- ${name}-results -->`;
  const close = `<!-- /${name}-results -->`;
  const start = readme.indexOf(open);
  if (start < 0) throw new Error(`README.md has no ${open} marker; add one where the ${name} results belong`);
  const end = readme.indexOf(close, start);
  const after = end < 0 ? readme.slice(start + open.length) : readme.slice(end + close.length);
  return `${readme.slice(0, start)}${open}\n${body.trim()}\n${close}${end < 0 ? "\n" : ""}${after}`;
}

/** Results pages link charts relative to bench/results/; in the README those links need the folder. */
export function rebaseLinks(markdown: string, folder = "bench/results/"): string {
  return markdown.replace(/\]\((?!https?:|\/|#)([^)]+)\)/g, (_, target: string) => `](${folder}${target})`);
}

async function main(names: string[]): Promise<void> {
  const readmePath = join(REPO_ROOT, "README.md");
  let readme = await readFile(readmePath, "utf8");
  for (const name of names) {
    const table = await readFile(join(REPO_ROOT, "bench", "results", `${name}.md`), "utf8");
    readme = replaceSection(readme, name, rebaseLinks(table.replace(/^# .*\n/, "")));
  }
  await writeFileAtomic(readmePath, readme);
  console.log(`README.md updated: ${names.join(", ")}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2).length ? process.argv.slice(2) : ["dataplane"]);
