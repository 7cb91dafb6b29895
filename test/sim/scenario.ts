/**
 * The contract between the simulation runner (`scripts/sim.ts`) and each simulated world: the SDK
 * over the sandbox core (`test/sim/sdk/`), the relay over an in-memory Redis (`test/sim/relay/`).
 * A scenario runs one seed to the end, deterministically: the same seed gives the same trace hash.
 */

/** One broken invariant, named as in issue 21 (e.g. `one-order-per-cl-order-id`, `liveness`). */
export interface SimViolation {
  invariant: string;
  message: string;
}

/** What one seed's run of one scenario produced. */
export interface SimRunResult {
  scenario: string;
  seed: number;
  /** Empty when every invariant held. */
  violations: SimViolation[];
  /** A hash (hex) of the whole trace: the same seed must print the same hash, every time. */
  traceHash: string;
  /** The last trace events (at most 500), printed when the seed fails. */
  traceTail: string[];
  /** Faults injected in this run, per kind (`drop_request`, `drop_response`, …). */
  faults: Record<string, number>;
  /** The seeded fault plan, printable as JSON, for the failure report. */
  faultPlan: unknown;
  /** Simulated events processed. */
  events: number;
}

/** Per-run knobs the runner passes down. */
export interface SimRunOptions {
  /** The run's event budget; exhausting it is the violation `liveness`. */
  eventBudget?: number;
}

/** A simulated world the runner can run seeds in. */
export interface SimScenario {
  name: string;
  run(seed: number, options?: SimRunOptions): Promise<SimRunResult>;
}
