import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Marker, TallyPoint } from '@banterbox/protocol';

export type ChartWindow = number | 'all';

export interface WormChartOptions {
  /** Seconds shown, or 'all' for the whole history. */
  window: ChartWindow;
  /** Axis and grid colour, as #rrggbb (the grid uses it with transparency). */
  axisColor: string;
  /** The line (and its fill) while the first option leads, as #rrggbb. */
  upColor: string;
  /** The line while the second option leads, as #rrggbb. */
  downColor: string;
  showAxes: boolean;
  /** A halo under everything drawn (the overlay: readable over any scene). */
  outline?: boolean;
  /** The halo's colour, as #rrggbb (default black, under light text). */
  haloColor?: string;
  /** Draw the timeline markers (default true). */
  showMarkers?: boolean;
  /**
   * A room with segments (SPEC §9): one line per segment, each its segment's net, in its own colour
   * and labelled at its end; all shown unless `setLines` says otherwise.
   */
  lines?: readonly ChartLine[];
  /** Draw the room's total line (default true). */
  total?: boolean;
}

/** One segment's line. */
export interface ChartLine {
  name: string;
  /** As #rrggbb. */
  color: string;
}

/** Distinct colours for up to eight segment lines, legible on dark and light backgrounds. */
const LINE_COLORS: readonly string[] = ['#3b82f6', '#f59e0b', '#a855f7', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#94a3b8'];

/** A room's segments as chart lines, each in its colour (the same on the page, the overlay and the replay). */
export function segmentLines(segments: readonly string[]): ChartLine[] {
  return segments.map((name, i) => ({ name, color: LINE_COLORS[i % LINE_COLORS.length]! }));
}

/** Redraws at most this often (ms) however fast the time axis moves. */
const MIN_FRAME_MS = 33;
/** ...and at least this often while visible, so a new point shows within a second. */
const MAX_FRAME_MS = 1000;
/** Points kept (a day at one tick a second); older ones scroll out of every window but "all". */
const MAX_POINTS = 86_400;
/** Markers kept (as many as a room keeps). */
const MAX_MARKERS = 1000;
/** How fast the vertical scale eases toward the visible data (time constant, ms). */
const EASE_MS = 400;

/** The moment the chart ends at, in seconds: a little behind now (see WormChart). */
type Clock = () => number;

/** Read each frame: one MediaQueryList, which follows the setting as it changes. */
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

/**
 * The "worm": net sentiment (first option minus second) over time, drawn with uPlot, one colour
 * above zero and another below; in a room with segments, one more line per segment. The time axis
 * trails real time by a little more than one tick, so each new point is already known when the
 * line reaches it: the worm grows smoothly, never jumps.
 *
 * It is cheap to watch for hours: it redraws only as often as the axis moves by a pixel (a 1-minute
 * window on a phone is about 6 frames a second, "everything" about one), not at all while the tab
 * is hidden, once a second with prefers-reduced-motion, and draws at most one line segment per
 * pixel column (uPlot's path decimation).
 */
export class WormChart {
  private readonly xs: number[] = [];
  private readonly nets: number[] = [];
  /** Per segment line (options.lines, in order): its net at each x. */
  private readonly lineNets: number[][];
  /** Which series are drawn: the total first, then each segment line. */
  private shown: boolean[];
  /** Timeline markers, oldest first: x in seconds like the points. */
  private readonly markers: { x: number; label: string }[] = [];
  private readonly plot: uPlot;
  private yHalf = 5;
  private lastFrame = 0;
  private timer: number | undefined;
  private frame = 0;
  private frames = 0;
  private dirty = false;
  private delayMs = 1300;
  private running = false;

  constructor(
    private readonly container: HTMLElement,
    private options: WormChartOptions,
    private readonly now: Clock = () => Date.now(),
  ) {
    const lines = options.lines ?? [];
    this.lineNets = lines.map(() => []);
    this.shown = [options.total !== false, ...lines.map(() => true)];
    const axis = {
      stroke: options.axisColor,
      grid: { stroke: `${options.axisColor}2e`, width: 1 },
      ticks: { stroke: `${options.axisColor}55`, width: 1 },
      ...(options.outline ? { font: '600 13px system-ui, sans-serif' } : {}),
    };
    this.plot = new uPlot(
      {
        width: Math.max(100, container.clientWidth),
        height: Math.max(80, container.clientHeight),
        legend: { show: false },
        cursor: { show: false },
        padding: [8, 18, 0, 4],
        scales: { x: { time: true, auto: false }, y: { auto: false } },
        axes: options.showAxes
          ? [
              { ...axis, space: options.outline ? 120 : 100, values: (u, splits) => timeLabels(u, splits) },
              { ...axis, size: 48, values: (_u, splits) => splits.map((v) => (v > 0 ? `+${v}` : String(v))) },
            ]
          : [{ show: false }, { show: false }],
        series: [
          {},
          {
            stroke: (u) => splitAtZero(u, options.upColor, options.downColor),
            fill: (u) => splitAtZero(u, `${options.upColor}2a`, `${options.downColor}2a`),
            fillTo: 0,
            width: 3,
            points: { show: false },
            show: this.shown[0],
          },
          ...lines.map((line) => ({ stroke: line.color, width: 2.5, points: { show: false } })),
        ],
        hooks: {
          drawClear: [(u: uPlot) => (options.outline ? outlineAll(u, options.haloColor ?? '#000000') : undefined)],
          draw: [
            (u: uPlot) => drawZeroLine(u, `${options.axisColor}99`),
            (u: uPlot) =>
              options.showMarkers === false ? undefined : drawMarkers(u, this.markers, options.axisColor, options.outline === true),
            (u: uPlot) => drawLineLabels(u, lines, this.shown, options.outline === true),
          ],
        },
      },
      [[], [], ...lines.map(() => [])],
      container,
    );
    new ResizeObserver(() => {
      this.plot.setSize({ width: Math.max(100, container.clientWidth), height: Math.max(80, container.clientHeight) });
      this.dirty = true;
    }).observe(container);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.running) this.schedule(0);
    });
  }

  setWindow(window: ChartWindow): void {
    this.options = { ...this.options, window };
    this.dirty = true;
    this.schedule(0);
  }

  /**
   * Which lines are drawn: the total, and the segment lines named in `names` (SPEC §9; the
   * viewer's choice, the overlay's `lines=`).
   */
  setLines(total: boolean, names: readonly string[]): void {
    const lines = this.options.lines ?? [];
    this.shown = [total, ...lines.map((line) => names.includes(line.name))];
    this.plot.batch(() => this.shown.forEach((show, i) => this.plot.setSeries(i + 1, { show })));
    this.container.dataset.lines = [...(total ? ['total'] : []), ...lines.filter((_, i) => this.shown[i + 1]).map((l) => l.name)].join(',');
    this.dirty = true;
    this.schedule(0);
  }

  /** Forgets every point and marker: a new round's series starts empty. */
  clear(): void {
    for (const list of [this.xs, this.nets, ...this.lineNets]) list.length = 0;
    this.markers.length = 0;
    this.container.dataset.points = '0';
    this.container.dataset.markers = '0';
    this.dirty = true;
    this.schedule(0);
  }

  /** Appends points (already newer than any before) for a room whose first two options are `pair`. */
  addPoints(points: readonly TallyPoint[], pair: readonly [string, string]): void {
    const net = (votes: Record<string, number> | undefined): number => (votes?.[pair[0]] ?? 0) - (votes?.[pair[1]] ?? 0);
    const lines = this.options.lines ?? [];
    for (const point of points) {
      this.xs.push(point.ts / 1000);
      this.nets.push(net(point.votes));
      lines.forEach((line, j) => this.lineNets[j]!.push(net(point.segments?.[line.name])));
    }
    if (this.xs.length > MAX_POINTS) {
      for (const list of [this.xs, this.nets, ...this.lineNets]) list.splice(0, list.length - MAX_POINTS);
    }
    this.delayMs = this.estimateDelay();
    this.dirty = true;
    this.container.dataset.points = String(this.xs.length);
    this.container.dataset.net = String(this.nets[this.nets.length - 1] ?? 0);
  }

  /** Adds timeline markers (each newer than any before): a dashed line at its time, labelled. */
  addMarkers(markers: readonly Marker[]): void {
    for (const marker of markers) this.markers.push({ x: marker.ts / 1000, label: marker.label });
    if (this.markers.length > MAX_MARKERS) this.markers.splice(0, this.markers.length - MAX_MARKERS);
    this.container.dataset.markers = String(this.markers.length);
    this.dirty = true;
    this.schedule(0);
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    window.clearTimeout(this.timer);
    cancelAnimationFrame(this.frame);
  }

  /** The tick spacing seen in the data plus a margin, so the newest point has arrived in time. */
  private estimateDelay(): number {
    const n = this.xs.length;
    if (n < 2) return 1300;
    const spacing = ((this.xs[n - 1]! - this.xs[Math.max(0, n - 6)]!) / Math.min(5, n - 1)) * 1000;
    return Math.min(5000, Math.max(300, spacing + 300));
  }

  /** The visible time range, seconds. */
  private range(): { left: number; right: number } {
    const right = (this.now() - this.delayMs) / 1000;
    const left = this.options.window === 'all' ? Math.min(this.xs[0] ?? right - 60, right - 10) : right - this.options.window;
    return { left, right };
  }

  /** How long until the axis has moved by one pixel: redrawing sooner would draw the same picture. */
  private frameInterval(): number {
    if (reducedMotion.matches) return MAX_FRAME_MS;
    const { left, right } = this.range();
    const msPerPixel = ((right - left) * 1000) / Math.max(1, this.plot.bbox.width / devicePixelRatio);
    return Math.min(MAX_FRAME_MS, Math.max(MIN_FRAME_MS, msPerPixel));
  }

  /** The next frame after `delay` ms, drawn in an animation frame (never while the tab is hidden). */
  private schedule(delay: number): void {
    if (!this.running) return;
    window.clearTimeout(this.timer);
    cancelAnimationFrame(this.frame);
    this.timer = window.setTimeout(() => {
      this.frame = requestAnimationFrame((now) => {
        this.render(now);
        this.schedule(this.frameInterval());
      });
    }, delay);
  }

  private render(now: number): void {
    const dt = this.lastFrame === 0 ? MAX_FRAME_MS : now - this.lastFrame;
    this.lastFrame = now;
    const { left, right } = this.range();
    let peak = 0;
    const drawn = [this.nets, ...this.lineNets].filter((_, k) => this.shown[k]);
    for (let i = this.xs.length - 1; i >= 0 && this.xs[i]! >= left - 5; i -= 1) {
      for (const values of drawn) peak = Math.max(peak, Math.abs(values[i]!));
    }
    const target = Math.max(5, peak * 1.2);
    this.yHalf += (target - this.yHalf) * (reducedMotion.matches ? 1 : 1 - Math.exp(-dt / EASE_MS));
    const data = this.dirty;
    this.dirty = false;
    this.plot.batch(() => {
      if (data) this.plot.setData([this.xs, this.nets, ...this.lineNets], false);
      this.plot.setScale('x', { min: left, max: right });
      this.plot.setScale('y', { min: -this.yHalf, max: this.yHalf });
    });
    this.frames += 1;
    this.container.dataset.frames = String(this.frames);
  }
}

/** A vertical gradient that switches colour exactly at the zero line. */
function splitAtZero(u: uPlot, up: string, down: string): CanvasGradient | string {
  const top = u.bbox.top;
  const height = u.bbox.height;
  if (height <= 0) return up;
  const zero = Math.min(1, Math.max(0, (u.valToPos(0, 'y', true) - top) / height));
  // No y scale yet (the first frame has not set one): one colour.
  if (!Number.isFinite(zero)) return up;
  const gradient = u.ctx.createLinearGradient(0, top, 0, top + height);
  gradient.addColorStop(0, up);
  gradient.addColorStop(zero, up);
  gradient.addColorStop(zero, down);
  gradient.addColorStop(1, down);
  return gradient;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** A formatter in the browser's locale (cached: building one is slow). */
function format(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let fmt = formats.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat(undefined, options);
    formats.set(key, fmt);
  }
  return fmt;
}

/** Time-axis labels in the reader's locale: seconds for short spans, the date only past a day. */
function timeLabels(u: uPlot, splits: number[]): string[] {
  const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
  const step = splits.length > 1 ? splits[1]! - splits[0]! : span;
  const options: Intl.DateTimeFormatOptions =
    span > 86_400
      ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
      : step < 60
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
        : { hour: '2-digit', minute: '2-digit' };
  const fmt = format(options);
  return splits.map((v) => fmt.format(v * 1000));
}

/** Every later stroke and label of this frame gets a halo of `color`. */
function outlineAll(u: uPlot, color: string): void {
  u.ctx.shadowColor = `${color}f0`;
  u.ctx.shadowBlur = devicePixelRatio;
  u.ctx.shadowOffsetX = devicePixelRatio;
  u.ctx.shadowOffsetY = devicePixelRatio;
}

/** Most characters of a marker's label drawn on the chart. */
const LABEL_CHARS = 24;

/** The markers in view: a dashed line at each one's time, its label at the top, left of the line if it would run off. */
function drawMarkers(u: uPlot, markers: readonly { x: number; label: string }[], color: string, outline: boolean): void {
  const min = u.scales.x?.min ?? 0;
  const max = u.scales.x?.max ?? 0;
  const ctx = u.ctx;
  const ratio = devicePixelRatio;
  ctx.save();
  ctx.strokeStyle = `${color}cc`;
  ctx.fillStyle = color;
  ctx.lineWidth = Math.max(1, ratio);
  ctx.setLineDash([4 * ratio, 4 * ratio]);
  ctx.font = `${outline ? 700 : 600} ${12 * ratio}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const marker of markers) {
    if (marker.x < min || marker.x > max) continue;
    const x = u.valToPos(marker.x, 'x', true);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    const label = marker.label.length > LABEL_CHARS ? `${marker.label.slice(0, LABEL_CHARS - 1)}…` : marker.label;
    const width = ctx.measureText(label).width;
    const right = x + 4 * ratio + width > u.bbox.left + u.bbox.width;
    ctx.fillText(label, right ? x - 4 * ratio - width : x + 4 * ratio, u.bbox.top + 2 * ratio);
  }
  ctx.restore();
}

/** Each drawn segment line's name at its newest point in view, in its colour. */
function drawLineLabels(u: uPlot, lines: readonly ChartLine[], shown: readonly boolean[], outline: boolean): void {
  const xs = u.data[0];
  const max = u.scales.x?.max ?? 0;
  let last = xs.length - 1;
  while (last >= 0 && xs[last]! > max) last -= 1;
  if (last < 0) return;
  const ctx = u.ctx;
  const ratio = devicePixelRatio;
  ctx.save();
  ctx.font = `${outline ? 700 : 600} ${12 * ratio}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  lines.forEach((line, j) => {
    const value = u.data[j + 2]?.[last];
    if (!shown[j + 1] || value === null || value === undefined) return;
    ctx.fillStyle = line.color;
    const label = line.name.length > LABEL_CHARS ? `${line.name.slice(0, LABEL_CHARS - 1)}…` : line.name;
    ctx.fillText(label, u.valToPos(xs[last]!, 'x', true) - 4 * ratio, u.valToPos(value, 'y', true) - 9 * ratio);
  });
  ctx.restore();
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
