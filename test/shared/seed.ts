// Random tests are replayable: fast-check prints the seed of a failing property, and FC_SEED=<seed>
// runs it again (FC_RUNS=<n> runs a property more times). vite.config.ts passes both to the unit and
// the browser projects, whose tests read them from import.meta.env in either environment.

/** The seed given by FC_SEED, or undefined for a fresh one (printed on failure). */
export const FC_SEED = import.meta.env.FC_SEED ? Number(import.meta.env.FC_SEED) : undefined;

/** FC_RUNS, or `runs`. */
export function runsOr(runs: number): number {
  return Number(import.meta.env.FC_RUNS) || runs;
}
