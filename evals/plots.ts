import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** Renders a Vega-Lite spec to a standalone SVG string in Node (no browser, no canvas: text widths
 * are estimated), for reports that must open anywhere offline. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

type Row = Record<string, string | number | null>;

/** Bars grouped by `group` along `x`, one colour per group (e.g. before and after per class). */
export function groupedBars(o: { values: Row[]; x: string; y: string; group: string; title: string; yTitle?: string; width?: number }): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    data: { values: o.values },
    width: o.width ?? { step: 14 },
    height: 220,
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: o.x, type: "nominal", sort: null, axis: { labelAngle: -40, labelLimit: 140 } },
      xOffset: { field: o.group, type: "nominal" },
      y: { field: o.y, type: "quantitative", title: o.yTitle ?? o.y },
      color: { field: o.group, type: "nominal", legend: { title: null, orient: "top" } },
    },
  } as TopLevelSpec;
}

/** A line with points per series along an ordinal x (e.g. a metric per round). */
export function linesByRound(o: { values: Row[]; x: string; y: string; series: string; title: string; yTitle?: string; shape?: string }): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    data: { values: o.values },
    width: 360,
    height: 220,
    mark: { type: "line", point: { size: 70, filled: true }, tooltip: true },
    encoding: {
      x: { field: o.x, type: "ordinal", axis: { labelAngle: 0 } },
      y: { field: o.y, type: "quantitative", title: o.yTitle ?? o.y, scale: { zero: false } },
      color: { field: o.series, type: "nominal", legend: { title: null, orient: "top" } },
      ...(o.shape ? { shape: { field: o.shape, type: "nominal", legend: { orient: "top" } } } : {}),
    },
  } as TopLevelSpec;
}

/** Horizontal bars of counts (e.g. confused pairs), the largest on top. */
export function countBars(o: { values: Row[]; label: string; count: string; title: string }): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    data: { values: o.values },
    width: 300,
    height: { step: 18 },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: o.label, type: "nominal", sort: "-x", axis: { labelLimit: 260, title: null } },
      x: { field: o.count, type: "quantitative", title: o.count },
    },
  } as TopLevelSpec;
}

/** A named series of values along shared x labels; null = no point (e.g. a skipped method). */
export interface Series {
  name: string;
  values: (number | null)[];
}

/** A line per series over ordered x labels (the y axis spans the data); a series with no value
 * after the first position is named "(skipped)" in the legend. Values are shown as percents. */
export function seriesLines(o: { title: string; xLabels: string[]; yLabel: string; series: Series[] }): TopLevelSpec {
  const values = o.series.flatMap((s) => {
    const name = s.values.slice(1).every((v) => v === null) ? `${s.name} (skipped)` : s.name;
    return s.values.flatMap((v, i) => (v === null ? [] : [{ x: o.xLabels[i] ?? String(i), series: name, value: v * 100 }]));
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    data: { values },
    width: 380,
    height: 240,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "x", type: "ordinal", sort: o.xLabels, axis: { labelAngle: 0, title: null } },
      y: { field: "value", type: "quantitative", title: o.yLabel, scale: { zero: false } },
      color: { field: "series", type: "nominal", sort: o.series.map((s) => s.name), legend: { title: null, labelLimit: 240 } },
    },
  } as TopLevelSpec;
}

/** A heat map of signed changes: red below zero, green above, white at zero; a missing cell is grey
 * and says "skipped". Each cell shows `format(value)`. */
export function signedHeatmap(o: { title: string; rows: string[]; cols: string[]; values: (number | null)[][]; format: (v: number) => string }): TopLevelSpec {
  const cells = o.rows.flatMap((row, i) => o.cols.map((col, j) => {
    const v = o.values[i]?.[j] ?? null;
    return { row, col, value: v, label: v === null ? "skipped" : o.format(v) };
  }));
  const scale = Math.max(1e-9, ...cells.flatMap((c) => (c.value === null ? [] : [Math.abs(c.value)])));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    data: { values: cells },
    width: { step: 110 },
    height: { step: 34 },
    encoding: {
      x: { field: "col", type: "nominal", sort: o.cols, axis: { orient: "top", labelAngle: 0, title: null } },
      y: { field: "row", type: "nominal", sort: o.rows, axis: { title: null } },
    },
    layer: [
      {
        // invalid: null keeps a missing cell (drawn grey by the condition) instead of dropping it.
        mark: { type: "rect", stroke: "white", invalid: null },
        encoding: {
          color: {
            condition: { test: "datum.value === null", value: "#dddddd" },
            field: "value",
            type: "quantitative",
            scale: { type: "linear", domain: [-scale, 0, scale], range: ["#d62728", "#ffffff", "#2ca02c"], interpolate: "rgb", nice: false, zero: false },
            legend: null,
          },
        },
      },
      { mark: { type: "text", fontSize: 12 }, encoding: { text: { field: "label", type: "nominal" } } },
    ],
  } as TopLevelSpec;
}
