// A line chart of tasks RUNNING over time, ECS and native on one set of axes, as a standalone SVG: polylines,
// axes with ticks, a legend. Pure.

export interface Line {
  label: string;
  color: string;
  /** (seconds, tasks) points in time order. */
  points: ReadonlyArray<readonly [number, number]>;
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 24, top: 64, bottom: 52 };
/** Points per line at most: a run of 1000 pods has thousands of events, the eye needs a few hundred. */
const MAX_POINTS = 500;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round step (1, 2 or 5 times a power of ten) giving about `target` ticks from 0 to `max`. */
export function tickStep(max: number, target = 6): number {
  if (max <= 0) return 1;
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw)!;
  return step;
}

/** At most `max` points, evenly chosen, always keeping the first and last. */
export function thin<T>(points: ReadonlyArray<T>, max = MAX_POINTS): T[] {
  if (points.length <= max) return [...points];
  const stride = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * stride)]!);
}

/** The lines drawn as steps (a count holds until the next event). */
function stepPath(points: ReadonlyArray<readonly [number, number]>, x: (s: number) => number, y: (n: number) => number): string {
  const coordinates: string[] = [];
  points.forEach(([seconds, count], i) => {
    if (i > 0) coordinates.push(`${x(seconds).toFixed(1)},${y(points[i - 1]![1]).toFixed(1)}`);
    coordinates.push(`${x(seconds).toFixed(1)},${y(count).toFixed(1)}`);
  });
  return coordinates.join(' ');
}

export function lineChart({ title, yLabel, lines }: { title: string; yLabel: string; lines: readonly Line[] }): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxSeconds = Math.max(1e-3, ...lines.flatMap((line) => line.points.map(([s]) => s)));
  const maxCount = Math.max(1, ...lines.flatMap((line) => line.points.map(([, n]) => n)));
  const xStep = tickStep(maxSeconds);
  const yStep = tickStep(maxCount);
  const xMax = Math.ceil(maxSeconds / xStep) * xStep;
  const yMax = Math.ceil(maxCount / yStep) * yStep;
  const x = (seconds: number) => MARGIN.left + (seconds / xMax) * plotWidth;
  const y = (count: number) => MARGIN.top + plotHeight - (count / yMax) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  parts.push(`<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`);
  for (let tick = 0; tick <= xMax + xStep / 2; tick += xStep) {
    const at = x(tick).toFixed(1);
    parts.push(`<line x1="${at}" y1="${MARGIN.top}" x2="${at}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`);
    parts.push(`<text x="${at}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${Number(tick.toPrecision(6))}</text>`);
  }
  for (let tick = 0; tick <= yMax + yStep / 2; tick += yStep) {
    const at = y(tick).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" y1="${at}" x2="${MARGIN.left + plotWidth}" y2="${at}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${at}" text-anchor="end" dominant-baseline="middle">${Number(tick.toPrecision(6))}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${MARGIN.left + plotWidth}" y2="${MARGIN.top + plotHeight}" stroke="black"/>`);
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotHeight}" stroke="black"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">seconds since the action</text>`);
  parts.push(`<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  for (const line of lines) {
    parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="2" points="${stepPath(thin(line.points), x, y)}"/>`);
  }
  // The legend sits in a row between the title and the plot, where no line can run under it.
  lines.forEach((line, i) => {
    const left = MARGIN.left + i * 260;
    const top = 44;
    parts.push(`<line x1="${left}" y1="${top}" x2="${left + 24}" y2="${top}" stroke="${line.color}" stroke-width="3"/>`);
    parts.push(`<text x="${left + 30}" y="${top}" dominant-baseline="middle">${escape(line.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
