/** A self-contained HTML page (inline CSS and SVG, no scripts, no network) built from sections. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export type Cell = string | number | null | undefined;

/** A table whose cells are text (escaped); numbers are shown as given. */
export function htmlTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cell = (c: Cell) => (c === null || c === undefined ? "-" : escapeHtml(String(c)));
  return [
    "<table>",
    `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`).join("")}</tbody>`,
    "</table>",
  ].join("");
}

export interface HtmlSection {
  title: string;
  /** Trusted HTML: built by htmlTable, escapeHtml or a rendered plot, never raw production text. */
  html: string;
}

/** A figure holding an SVG plot; `data-plot` names it (a test counts them). */
export function figure(name: string, svg: string): string {
  return `<figure class="plot" data-plot="${escapeHtml(name)}">${svg}</figure>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}.verdict{font-size:1.05rem;padding:.5rem .75rem;background:#f3f7ff;border-left:4px solid #4c78a8}
figure.plot{display:inline-block;margin:.5rem 1rem .5rem 0}.muted{color:#777}`;

export function htmlPage(title: string, lead: string, sections: readonly HtmlSection[]): string {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="verdict">${lead}</p>`,
    ...sections.map((s) => `<section><h2>${escapeHtml(s.title)}</h2>${s.html}</section>`),
    "</body></html>",
  ].join("\n");
}
