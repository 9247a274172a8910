/**
 * Timing primitives shared by the browser and the Node run of `npm run bench`.
 *
 * Every case is a set of contenders (idb-memo and its anchors) run side by side: each round runs
 * every contender once, in a rotating order, so that drift (thermal, GC, a busy neighbour) spreads
 * over all of them. A contender's batch size is calibrated first so that one batch lasts about
 * `targetMs` (iteration counts are time-boxed, never fixed), and the reported figure is the
 * median over rounds of (batch time / operations in the batch).
 */

/** One contender's figures in one case. Times are milliseconds per operation. */
export interface Measurement {
  name: string;
  /** Median over rounds of the time per operation, ms. */
  median: number;
  min: number;
  max: number;
  rounds: number;
  /** Operations timed per round. */
  ops: number;
  /** Extra figures (medians over rounds), e.g. background write cost; ms per operation unless named otherwise. */
  extra?: Record<string, number>;
  /** Why the figure is missing or partial. */
  note?: string;
}

/** A target of a case: the subject's time over an anchor's, at most `limit`. */
export interface Target {
  /** What is compared, e.g. `memory hit, one string argument`. */
  label: string;
  /** The idb-memo contender (default: the case's subject). */
  subject?: string;
  /** The contender it is compared with. */
  anchor: string;
  /** Largest ratio subject / anchor that meets the target. */
  limit: number;
  /** Where the target was set, e.g. `issue 23`. */
  source: string;
  /** How the anchor is measured (printed with the ratios). */
  how: string;
}

/** One case of the bench in one environment. */
export interface CaseResult {
  /** Stable id, e.g. `memory-hit-string`. */
  id: string;
  /** Number of the case in issue 6 (1–6). */
  group: number;
  title: string;
  env: 'chromium' | 'node';
  /** Name of the idb-memo contender; every other measurement is an anchor. */
  subject: string;
  /** How to print the times: per-operation latency, or throughput over `bytes` per operation. */
  unit: 'latency' | 'throughput';
  /** Bytes processed per operation (throughput cases). */
  bytes?: number;
  results: Measurement[];
  /** Set when the case could not run (e.g. the disk tier is not there yet): the reason. */
  na?: string;
  notes?: string[];
  /** The targets set on this case (the ratios printed with the anchors of the same run). */
  targets?: Target[];
}

/** Something to time: `run(n, round)` performs `n` operations; `prepare`/`after` are not timed. */
export interface Contender {
  name: string;
  /** Untimed setup before each round (e.g. a fresh memoized function with an empty memory tier). */
  prepare?: (round: number) => unknown;
  run: (n: number, round: number) => Promise<unknown>;
  /**
   * `run` times itself and resolves with the elapsed ms (e.g. work timed inside a fresh page, where
   * handing it the order and its answer back would add to the figure).
   */
  selfTimed?: boolean;
  /** Untimed work after each round; may return extra figures (already per operation). */
  after?: (round: number, n: number, elapsedMs: number) => Promise<Record<string, number> | void> | Record<string, number> | void;
  /** A fixed batch size (no calibration), e.g. when the number of prepared keys bounds it. */
  fixedOps?: number;
  /** Largest batch that calibration may choose. */
  maxOps?: number;
}

export interface MeasureOptions {
  /** Wanted duration of one batch, ms. */
  targetMs: number;
  /** Rounds wanted. */
  rounds: number;
  /** Rounds run even past the budget. */
  minRounds: number;
  /** Wall-clock budget of the whole measurement (calibration included), ms. */
  budgetMs: number;
}

export const now: () => number = () => performance.now();

/** Median of `values` (not modified). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Lets pending macrotasks (IndexedDB callbacks, timers) run between rounds. */
export function breathe(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one batch of `contender`; resolves its duration, ms. */
async function timed(contender: Contender, n: number, round: number): Promise<number> {
  const start = now();
  const result = await contender.run(n, round);
  return contender.selfTimed ? (result as number) : now() - start;
}

async function calibrate(contender: Contender, targetMs: number, deadline: number): Promise<number> {
  if (contender.fixedOps !== undefined) return contender.fixedOps;
  const maxOps = contender.maxOps ?? 1 << 22;
  let n = 1;
  for (let round = -1; ; round--) {
    await contender.prepare?.(round);
    const elapsed = await timed(contender, n, round);
    await contender.after?.(round, n, elapsed);
    if (elapsed >= targetMs || n >= maxOps || now() > deadline) {
      // Scale to the target from the last measurement, within [1, maxOps].
      const scaled = elapsed > 0 ? Math.round((n * targetMs) / elapsed) : n * 2;
      return Math.max(1, Math.min(maxOps, elapsed >= targetMs / 4 ? scaled : n));
    }
    n = elapsed < targetMs / 16 ? n * 8 : n * 2;
  }
}

/**
 * Runs `contenders` side by side and returns one {@link Measurement} per contender, in order.
 * Calibration rounds (which also warm up the JIT) use negative round numbers.
 */
export async function measure(contenders: readonly Contender[], options: MeasureOptions): Promise<Measurement[]> {
  const started = now();
  const deadline = started + options.budgetMs;
  const ops: number[] = [];
  // Calibrate with a share of the budget each, so that one slow contender cannot starve the others.
  for (const contender of contenders) ops.push(await calibrate(contender, options.targetMs, now() + options.budgetMs / (4 * contenders.length)));
  const perOp: number[][] = contenders.map(() => []);
  const extras: Record<string, number[]>[] = contenders.map(() => ({}));
  for (let round = 0; round < options.rounds; round++) {
    if (round >= options.minRounds && now() > deadline) break;
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + round) % contenders.length;
      const contender = contenders[index]!;
      const n = ops[index]!;
      await contender.prepare?.(round);
      const elapsed = await timed(contender, n, round);
      perOp[index]!.push(elapsed / n);
      const extra = await contender.after?.(round, n, elapsed);
      if (extra) {
        for (const [key, value] of Object.entries(extra)) (extras[index]![key] ??= []).push(value);
      }
    }
    await breathe();
  }
  return contenders.map((contender, i) => {
    const times = perOp[i]!;
    const extraMedians = Object.fromEntries(Object.entries(extras[i]!).map(([key, values]) => [key, median(values)]));
    return {
      name: contender.name,
      median: median(times),
      min: Math.min(...times),
      max: Math.max(...times),
      rounds: times.length,
      ops: ops[i]!,
      ...(Object.keys(extraMedians).length > 0 ? { extra: extraMedians } : {}),
    };
  });
}

/** Options of a whole bench run, chosen by the runner. */
export interface BenchSettings {
  /** Multiplies every time budget and round count (e.g. 0.3 for a smoke run). */
  scale: number;
  /** Disk sizes of the scale case (default 1k, 10k, 100k). */
  scaleSizes?: number[];
}

/** `options` with rounds and budgets scaled by `settings.scale` (at least `minRounds` rounds). */
export function scaled(options: MeasureOptions, settings: BenchSettings): MeasureOptions {
  const s = settings.scale;
  return {
    targetMs: options.targetMs,
    rounds: Math.max(options.minRounds, Math.round(options.rounds * s)),
    minRounds: options.minRounds,
    budgetMs: options.budgetMs * s,
  };
}

/**
 * A fresh `async (n, round) => { for (i < n) await fn(arg(i, round)) }` loop. Each call makes a new
 * function from source, so every contender's loop keeps its own (monomorphic) type feedback instead
 * of sharing one call site that every library passes through.
 */
export function awaitLoop<A>(
  fn: (arg: A) => unknown,
  arg: (i: number, round: number) => A,
): (n: number, round: number) => Promise<void> {
  // Deliberately `new Function`: one compiled loop per contender.
  const make = new Function(
    'fn',
    'arg',
    'return async function loop(n, round) { for (let i = 0; i < n; i++) await fn(arg(i, round)); };',
  ) as (f: typeof fn, a: typeof arg) => (n: number, round: number) => Promise<void>;
  return make(fn, arg);
}
