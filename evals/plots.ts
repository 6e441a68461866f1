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
