// Summaries of the rounds: medians, the ECS/native ratio, costs per task. Pure.

/** The median; of an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Index of the value nearest the median (the lower one on a tie): the round whose run the chart shows. */
export function medianIndex(values: readonly number[]): number {
  const m = median(values);
  let best = 0;
  values.forEach((value, i) => {
    if (Math.abs(value - m) < Math.abs(values[best]! - m)) best = i;
  });
  return best;
}

/** Per verb, the median over rounds of that round's count divided by `tasks`; verbs no round used are left out. */
export function medianPerTask(rounds: ReadonlyArray<Record<string, number>>, tasks: number): Record<string, number> {
  const verbs = [...new Set(rounds.flatMap((round) => Object.keys(round)))].sort();
  const perTask: Record<string, number> = {};
  for (const verb of verbs) {
    const value = median(rounds.map((round) => (round[verb] ?? 0) / tasks));
    if (value !== 0) perTask[verb] = round(value, 3);
  }
  return perTask;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Requests of the write verbs in `requests`. */
export function writes(requests: Record<string, number>, writeVerbs: readonly string[]): number {
  return writeVerbs.reduce((sum, verb) => sum + (requests[verb] ?? 0), 0);
}
