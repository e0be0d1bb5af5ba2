/**
 * @file Training-history line charts as a standalone SVG string (Apache ECharts, server-side rendering).
 *
 * ECharts renders SVG in Node without a DOM or canvas (`ssr: true`), so `npm start` can write
 * `out/history.svg` from a plain script. It is loaded lazily: the library costs nothing to import
 * for code that never draws a chart.
 */

/** Options of {@link renderHistorySvg}. */
export interface HistoryChartOptions {
  /** Heading drawn above the panels (default `"Training history"`). */
  title?: string;
  /** Width of the SVG in pixels (default 900). */
  width?: number;
  /** Height of one row of panels in pixels (default 320). */
  rowHeight?: number;
}

/** The prefix Keras (and `train.fit`) gives validation metrics. */
const VAL_PREFIX = "val_";

/** One chart panel: a base metric (`loss`) with its train and validation series. */
interface Panel {
  metric: string;
  series: { name: string; values: readonly number[]; validation: boolean }[];
}

/**
 * Groups history keys into panels: `loss` and `val_loss` share the `loss` panel, and so on. Panels
 * come in first-seen order of their base metric, with `loss` first and `accuracy` second because
 * those are the curves people look for.
 * @internal
 */
function panelsOf(history: Record<string, readonly number[]>): Panel[] {
  const panels = new Map<string, Panel>();
  for (const [name, values] of Object.entries(history)) {
    const validation = name.startsWith(VAL_PREFIX) && name.length > VAL_PREFIX.length;
    const metric = validation ? name.slice(VAL_PREFIX.length) : name;
    let panel = panels.get(metric);
    if (!panel) panels.set(metric, (panel = { metric, series: [] }));
    panel.series.push({ name, values, validation });
  }
  const rank = (m: string): number => (m === "loss" ? 0 : m === "accuracy" ? 1 : 2);
  const ordered = [...panels.values()].sort((a, b) => rank(a.metric) - rank(b.metric));
  // Train before validation inside a panel, so the legend reads `loss, val_loss`.
  for (const p of ordered) p.series.sort((a, b) => Number(a.validation) - Number(b.validation));
  return ordered;
}

/** Checks the history's shape so a bad value fails here, by name, rather than as a blank chart. @internal */
function checkHistory(history: Record<string, readonly number[]>): void {
  if (history === null || typeof history !== "object" || Array.isArray(history)) {
    throw new TypeError(`renderHistorySvg: history must be an object of number arrays, got ${String(history)}`);
  }
  for (const [name, values] of Object.entries(history)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== "number")) {
      throw new TypeError(`renderHistorySvg: history["${name}"] must be an array of numbers (one per epoch)`);
    }
  }
}

// One colour per panel's metric family; validation curves reuse it dashed, so pairs read together.
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

/**
 * Draws per-epoch training curves as an SVG document.
 *
 * Every base metric gets a panel (two per row): `loss` with `val_loss`, `accuracy` with
 * `val_accuracy`, and any other metric with its `val_` twin. Training curves are solid, validation
 * curves dashed in the same colour; non-finite values leave a gap instead of breaking the axis.
 *
 * @example
 * ```ts
 * const svg = await renderHistorySvg(result.history, { title: "MNIST MLP" });
 * await fs.writeFile("out/history.svg", svg);
 * ```
 *
 * @param history - metric name → one value per epoch (as `train.fit` returns it).
 * @param options - title and size.
 * @returns a complete `<svg ...>...</svg>` document.
 * @throws TypeError if `history` is not an object of number arrays.
 */
export async function renderHistorySvg(
  history: Record<string, readonly number[]>,
  options: HistoryChartOptions = {},
): Promise<string> {
  checkHistory(history);
  const title = options.title ?? "Training history";
  const width = options.width ?? 900;
  const rowHeight = options.rowHeight ?? 320;

  const [echarts, charts, components, renderers] = await Promise.all([
    import("echarts/core"),
    import("echarts/charts"),
    import("echarts/components"),
    import("echarts/renderers"),
  ]);
  echarts.use([
    charts.LineChart,
    components.GridComponent,
    components.TitleComponent,
    components.LegendComponent,
    renderers.SVGRenderer,
  ]);

  const panels = panelsOf(history);
  const columns = panels.length > 1 ? 2 : 1;
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const header = 70; // room for the title and the legend
  const height = header + rows * rowHeight;
  const cellWidth = width / columns;
  const epochs = Math.max(0, ...panels.flatMap((p) => p.series.map((s) => s.values.length)));
  const epochLabels = Array.from({ length: epochs }, (_, i) => String(i + 1));

  const grids = panels.map((_, i) => ({
    left: (i % columns) * cellWidth + 60,
    top: header + Math.floor(i / columns) * rowHeight + 30,
    width: cellWidth - 90,
    height: rowHeight - 80,
  }));

  const option = {
    animation: false, // SSR renders one frame; an animation would freeze at its first state
    backgroundColor: "#ffffff",
    title: [
      { text: panels.length > 0 ? title : `${title} (no data)`, left: "center", top: 8 },
      ...panels.map((p, i) => ({
        text: p.metric,
        left: grids[i]!.left + grids[i]!.width / 2,
        textAlign: "center" as const,
        top: grids[i]!.top - 26,
        textStyle: { fontSize: 13, fontWeight: "normal" as const },
      })),
    ],
    legend: { top: 38, data: panels.flatMap((p) => p.series.map((s) => s.name)) },
    grid: grids,
    xAxis: panels.map((_, i) => ({
      type: "category" as const,
      gridIndex: i,
      data: epochLabels,
      name: "epoch",
      nameLocation: "middle" as const,
      nameGap: 26,
      boundaryGap: false,
    })),
    yAxis: panels.map((_, i) => ({ type: "value" as const, gridIndex: i, scale: true })),
    series: panels.flatMap((p, i) =>
      p.series.map((s) => ({
        type: "line" as const,
        name: s.name,
        xAxisIndex: i,
        yAxisIndex: i,
        // "-" is ECharts' missing-value marker: a NaN epoch becomes a gap, not a broken axis.
        data: s.values.map((v) => (Number.isFinite(v) ? v : "-")),
        showSymbol: s.values.length <= 30,
        color: PALETTE[i % PALETTE.length],
        lineStyle: { type: s.validation ? ("dashed" as const) : ("solid" as const), width: 2 },
      })),
    ),
  };

  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
