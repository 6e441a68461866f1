/** Small dependency-free SVG charts for benchmark results. */

const PALETTE = ["#7f7f7f", "#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd"];

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export interface Series {
  name: string;
  /** One value per x position; null = no point (e.g. a skipped method). */
  values: (number | null)[];
}

/** A line chart: one line per series over shared x labels, y axis spanning the data. */
export function lineChart(options: { title: string; xLabels: string[]; yLabel: string; series: Series[]; width?: number; height?: number }): string {
  const width = options.width ?? 560;
  const height = options.height ?? 340;
  const margin = { left: 56, right: 190, top: 36, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = options.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  const pad = Math.max((hi - lo) * 0.1, 0.005);
  lo -= pad;
  hi += pad;
  const x = (i: number) => margin.left + (options.xLabels.length <= 1 ? plotW / 2 : (i / (options.xLabels.length - 1)) * plotW);
  const y = (v: number) => margin.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left}" y="20" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((hi - lo) * t) / 4;
    out.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${margin.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${(v * 100).toFixed(1)}</text>`);
  }
  options.xLabels.forEach((label, i) => out.push(`<text x="${x(i).toFixed(1)}" y="${height - margin.bottom + 18}" text-anchor="middle">${escape(label)}</text>`));
  out.push(`<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  options.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const points = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p): p is string => p !== null);
    if (points.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"/>`);
    for (const p of points) {
      const [px, py] = p.split(",");
      out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${color}"/>`);
    }
    const ly = margin.top + 10 + k * 18;
    out.push(`<line x1="${width - margin.right + 14}" x2="${width - margin.right + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    const skipped = s.values.slice(1).every((v) => v === null);
    out.push(`<text x="${width - margin.right + 40}" y="${ly + 4}">${escape(s.name)}${skipped ? " (skipped)" : ""}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}

/** A heat-map of signed changes: red below zero, green above, white at zero; null cells are grey. */
export function heatmap(options: { title: string; rows: string[]; cols: string[]; values: (number | null)[][]; format: (v: number) => string }): string {
  const cell = { w: 110, h: 34 };
  const margin = { left: 120, top: 64 };
  const width = margin.left + cell.w * options.cols.length + 20;
  const height = margin.top + cell.h * options.rows.length + 20;
  const scale = Math.max(1e-9, ...options.values.flat().filter((v): v is number => v !== null).map(Math.abs));
  const color = (v: number | null) => {
    if (v === null) return "#dddddd";
    const t = Math.min(1, Math.abs(v) / scale);
    const fade = (c: number) => Math.round(255 - (255 - c) * t);
    return v >= 0 ? `rgb(${fade(44)},${fade(160)},${fade(44)})` : `rgb(${fade(214)},${fade(39)},${fade(40)})`;
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  options.cols.forEach((c, j) => out.push(`<text x="${margin.left + j * cell.w + cell.w / 2}" y="${margin.top - 10}" text-anchor="middle">${escape(c)}</text>`));
  options.rows.forEach((r, i) => {
    out.push(`<text x="${margin.left - 8}" y="${margin.top + i * cell.h + cell.h / 2 + 4}" text-anchor="end">${escape(r)}</text>`);
    options.cols.forEach((_, j) => {
      const v = options.values[i]?.[j] ?? null;
      const cx = margin.left + j * cell.w;
      const cy = margin.top + i * cell.h;
      out.push(`<rect x="${cx}" y="${cy}" width="${cell.w - 2}" height="${cell.h - 2}" fill="${color(v)}"/>`);
      out.push(`<text x="${cx + cell.w / 2}" y="${cy + cell.h / 2 + 4}" text-anchor="middle">${v === null ? "skipped" : escape(options.format(v))}</text>`);
    });
  });
  out.push("</svg>");
  return out.join("\n");
}
