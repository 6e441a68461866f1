/** Copies benchmark tables from bench/results/*.md into bench/README.md (and README.md, where it has
 * the marker) between their markers (`<!-- NAME-results -->` ... `<!-- /NAME-results -->`).
 * Usage: tsx bench/update-readme.ts [NAME...] */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";

export function replaceSection(readme: string, name: string, body: string): string {
  const open = `<!-- ${name}-results -->`;
  const close = `<!-- /${name}-results -->`;
  const start = readme.indexOf(open);
  if (start < 0) throw new Error(`the page has no ${open} marker; add one where the ${name} results belong`);
  const end = readme.indexOf(close, start);
  const after = end < 0 ? readme.slice(start + open.length) : readme.slice(end + close.length);
  return `${readme.slice(0, start)}${open}\n${body.trim()}\n${close}${end < 0 ? "\n" : ""}${after}`;
}

/** Results pages link charts relative to bench/results/; in the README those links need the folder. */
export function rebaseLinks(markdown: string, folder = "bench/results/"): string {
  return markdown.replace(/\]\((?!https?:|\/|#)([^)]+)\)/g, (_, target: string) => `](${folder}${target})`);
}

/** The pages that carry result tables, and where bench/results/ is from each. */
const PAGES = [
  { path: "bench/README.md", results: "results/" },
  { path: "README.md", results: "bench/results/" },
];

async function main(names: string[]): Promise<void> {
  for (const page of PAGES) {
    const pagePath = join(REPO_ROOT, page.path);
    let text = await readFile(pagePath, "utf8");
    const updated: string[] = [];
    for (const name of names) {
      if (!text.includes(`<!-- ${name}-results -->`) && page.path === "README.md") continue;
      const table = await readFile(join(REPO_ROOT, "bench", "results", `${name}.md`), "utf8");
      text = replaceSection(text, name, rebaseLinks(table.replace(/^# .*\n/, ""), page.results));
      updated.push(name);
    }
    await writeFileAtomic(pagePath, text);
    if (updated.length) console.log(`${page.path} updated: ${updated.join(", ")}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2).length ? process.argv.slice(2) : ["dataplane"]);
