/*
 * How long a visit's function-test step waits for the PBX's report
 * (docs/maintenance-plans.md): the plan's `function-test-wait`, or a
 * default from the PBX's report timing. Apart from the plan module so the
 * CLI's option help reads it without loading croner.
 */

/**
 * The PBX signals a function test like any class-B error: one signaling
 * interval after it was entered, then a call to the centre. The KDS keeps
 * the interval within 1–15 minutes (firmware-sim/kds-schema.ts,
 * `signaling.interval`, seed: "im 1-Minuten-Raster").
 */
const LONGEST_SIGNALING_INTERVAL_MS = 15 * 60_000;
/** A report call: the PBX's dial with training (up to 90 s, modem-dialer.ts DIAL_TIMEOUT_MS) and the report's frames at 2400 bit/s. */
const REPORT_CALL_MS = 2 * 60_000;
/** The default wait for a function test's report: the longest interval the PBX may signal at, and its call — a PBX that reports at all reports within it. */
export const DEFAULT_FUNCTION_TEST_WAIT_MS = LONGEST_SIGNALING_INTERVAL_MS + REPORT_CALL_MS;
/** What the function-test step needs besides the wait: `signaling test` (or finding the test a broken line left) and the hang-up. */
export const FUNCTION_TEST_RAISE_MS = 60_000;
/** A plan's wait may be set to 1–120 minutes. */
export const MAX_FUNCTION_TEST_WAIT_MINUTES = 120;

/** How long a plan's function-test step waits for the report. */
export function functionTestWaitMs(plan: { functionTestWaitMinutes?: number | null }): number {
  return plan.functionTestWaitMinutes == null ? DEFAULT_FUNCTION_TEST_WAIT_MS : plan.functionTestWaitMinutes * 60_000;
}

/** The function-test step's whole budget: a step that would cross the window's end with it is not started (the runner's rule). */
export function functionTestBudgetMs(plan: { functionTestWaitMinutes?: number | null }): number {
  return functionTestWaitMs(plan) + FUNCTION_TEST_RAISE_MS;
}
