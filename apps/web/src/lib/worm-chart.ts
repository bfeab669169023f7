import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TallyPoint } from '@banterbox/protocol';

export type ChartWindow = number | 'all';

export interface WormChartOptions {
  /** Seconds shown, or 'all' for the whole history. */
  window: ChartWindow;
  /** Axis and grid colour, as #rrggbb (the grid uses it with transparency). */
  axisColor: string;
  /** Line colour, as #rrggbb. */
  lineColor: string;
  showAxes: boolean;
}

/** Frames drawn at most this often (ms): smooth enough, and light on a stream PC. */
const FRAME_MS = 33;

/**
 * The "worm": net sentiment (first option minus second) over time, drawn with uPlot. The time
 * axis scrolls continuously and trails real time by a little more than one tick, so each new
 * point is already known when the line reaches it: the worm grows smoothly and never jumps.
 * The vertical scale eases toward the visible data instead of snapping.
 */
export class WormChart {
  private readonly xs: number[] = [];
  private readonly nets: number[] = [];
  private readonly plot: uPlot;
  private yHalf = 5;
  private lastFrame = 0;
  private frame = 0;
  private delayMs = 1300;

  constructor(
    private readonly container: HTMLElement,
    private options: WormChartOptions,
  ) {
    const axis = { stroke: options.axisColor, grid: { stroke: `${options.axisColor}2e`, width: 1 }, ticks: { stroke: `${options.axisColor}55`, width: 1 } };
    this.plot = new uPlot(
      {
        width: Math.max(100, container.clientWidth),
        height: Math.max(80, container.clientHeight),
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true, auto: false }, y: { auto: false } },
        axes: options.showAxes ? [axis, { ...axis, size: 48 }] : [{ show: false }, { show: false }],
        series: [{}, { stroke: options.lineColor, width: 3, fill: `${options.lineColor}22` }],
        hooks: { draw: [(u: uPlot) => drawZeroLine(u, `${options.axisColor}99`)] },
      },
      [[], []],
      container,
    );
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(100, container.clientWidth), height: Math.max(80, container.clientHeight) })).observe(container);
  }

  setWindow(window: ChartWindow): void {
    this.options = { ...this.options, window };
  }

  /** Appends points (already newer than any before) for a room whose first two options are `pair`. */
  addPoints(points: readonly TallyPoint[], pair: readonly [string, string]): void {
    for (const point of points) {
      this.xs.push(point.ts / 1000);
      this.nets.push((point.votes[pair[0]] ?? 0) - (point.votes[pair[1]] ?? 0));
    }
    this.delayMs = this.estimateDelay();
    this.plot.setData([this.xs, this.nets], false);
    this.container.dataset.points = String(this.xs.length);
    this.container.dataset.net = String(this.nets[this.nets.length - 1] ?? 0);
  }

  /** The tick spacing seen in the data plus a margin, so the newest point has arrived in time. */
  private estimateDelay(): number {
    const n = this.xs.length;
    if (n < 2) return 1300;
    const spacing = ((this.xs[n - 1]! - this.xs[Math.max(0, n - 6)]!) / Math.min(5, n - 1)) * 1000;
    return Math.min(5000, Math.max(300, spacing + 300));
  }

  start(): void {
    const draw = (now: number): void => {
      this.frame = requestAnimationFrame(draw);
      if (now - this.lastFrame < FRAME_MS) return;
      this.lastFrame = now;
      this.render();
    };
    this.frame = requestAnimationFrame(draw);
  }

  stop(): void {
    cancelAnimationFrame(this.frame);
  }

  private render(): void {
    const right = (Date.now() - this.delayMs) / 1000;
    const left = this.options.window === 'all' ? Math.min(this.xs[0] ?? right - 60, right - 10) : right - this.options.window;
    let peak = 0;
    for (let i = this.xs.length - 1; i >= 0 && this.xs[i]! >= left - 5; i -= 1) peak = Math.max(peak, Math.abs(this.nets[i]!));
    const target = Math.max(5, peak * 1.2);
    this.yHalf += (target - this.yHalf) * 0.15;
    this.plot.batch(() => {
      this.plot.setScale('x', { min: left, max: right });
      this.plot.setScale('y', { min: -this.yHalf, max: this.yHalf });
    });
  }
}

/** The zero line: above it the first option leads, below it the second. */
function drawZeroLine(u: uPlot, color: string): void {
  const y = u.valToPos(0, 'y', true);
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = Math.max(1, devicePixelRatio);
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, y);
  ctx.lineTo(u.bbox.left + u.bbox.width, y);
  ctx.stroke();
  ctx.restore();
}
