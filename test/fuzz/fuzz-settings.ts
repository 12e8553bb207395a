/**
 * The one place the fuzz properties read their run count and seed from (see test/fuzz/README.md).
 *
 * - `npm test` runs every property with its default number of cases (10,000 for a pure parser,
 *   a few hundred over HTTP), with a fresh seed each run.
 * - `KEYWARD_FUZZ_RUNS=N` sets the cases of a 10,000-case property to N; the others scale with it
 *   (`npm run fuzz` sets 200,000).
 * - `KEYWARD_FUZZ_SEED=S` (and `KEYWARD_FUZZ_PATH=P`) replays the run that failed with that seed
 *   (and shrink path): fast-check prints both in the failure message, with the counterexample.
 */
import fc from 'fast-check';
import { isReasonCode, OAuthError, REASONS, type ReasonCode } from '../../packages/core/src/errors.ts';

/** The number of cases a property runs by default in `npm test` is scaled against this. */
const REFERENCE_RUNS = 10_000;

function readInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer (got ${JSON.stringify(raw)})`);
  return value;
}

const runsOverride = readInteger('KEYWARD_FUZZ_RUNS');
const seedOverride = readInteger('KEYWARD_FUZZ_SEED');
const pathOverride = process.env.KEYWARD_FUZZ_PATH;

/** A fresh seed per process unless one is given, so that every property of a run can be replayed. */
export const FUZZ_SEED = seedOverride ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;

/** Longest time one case may take (ms): a case slower than this is a counterexample, not a wait. */
export const CASE_BUDGET_MS = 1000;

/**
 * fast-check parameters for one property: `runs` cases by default (scaled by KEYWARD_FUZZ_RUNS), the
 * shared seed, a per-case timeout for async properties, and `examples` (regressions found earlier)
 * that always run first.
 */
export function fuzzParameters<Ts>(runs: number, examples: Ts[] = []): fc.Parameters<Ts> {
  const numRuns = runsOverride === undefined ? runs : Math.max(1, Math.round((runs * runsOverride) / REFERENCE_RUNS));
  return {
    numRuns,
    seed: FUZZ_SEED,
    ...(pathOverride !== undefined && pathOverride !== '' ? { path: pathOverride } : {}),
    timeout: CASE_BUDGET_MS * 5,
    examples,
    // The failure message carries the seed, the path and the shrunk counterexample: it is the
    // error the test runner prints.
    verbose: 1,
    includeErrorInReport: true,
  };
}

/**
 * Runs `body` and throws when it takes longer than {@link CASE_BUDGET_MS}: a synchronous parser
 * cannot be interrupted, but a super-linear input is shrunk and reported like any other failure.
 */
export function withinBudget<T>(what: string, body: () => T): T {
  const started = performance.now();
  const result = body();
  const elapsed = performance.now() - started;
  if (elapsed > CASE_BUDGET_MS) throw new Error(`${what} took ${Math.round(elapsed)} ms (budget ${CASE_BUDGET_MS} ms)`);
  return result;
}

/** Strings over `alphabet` (each character drawn from it), up to `maxLength` characters. */
export function stringOver(alphabet: readonly string[], maxLength = 64): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { maxLength }).map((chars) => chars.join(''));
}

/**
 * Checks that `error` is a documented refusal: an OAuthError whose reason is in the closed catalogue
 * of src/core/errors.ts and, when `allowed` is given, one of the reasons the function documents.
 * Anything else (a TypeError or RangeError from deep inside, a plain Error) is rethrown as is.
 */
export function expectRefusal(error: unknown, allowed?: readonly ReasonCode[]): OAuthError {
  if (!(error instanceof OAuthError) || !isReasonCode(error.reason)) throw error;
  if (allowed !== undefined && !allowed.includes(error.reason)) {
    throw new Error(`refused with the undocumented reason ${error.reason} (documented: ${allowed.join(', ')})`, { cause: error });
  }
  return error;
}

/** Every wire error code of the catalogue (what an HTTP refusal may carry in `error`). */
export const WIRE_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(REASONS).map((spec) => spec.error));
