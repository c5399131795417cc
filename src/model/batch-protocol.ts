/** First and last line of every batch's output: a missing end line means the output was cut. */
export const BATCH_BEGIN = 'pathproof-begin';

export const BATCH_END = 'pathproof-end';

/**
 * Output bounds. SSM keeps 24,000 characters of stdout; the planner splits a zone's probes so that
 * the worst case fits. A probe line longer than MAX_PROBE_LINE is replaced by an error line
 * (the probe is then ERROR, never guessed), and stderr is cut at 200 bytes (≤ 400 escaped), so no
 * wrapped line exceeds MAX_WRAPPED_LINE.
 */
export const SSM_STDOUT_LIMIT = 24_000;

export const MAX_PROBE_LINE = 800;

export const MAX_WRAPPED_LINE = 900;

/** Begin and end lines, generously. */
export const BATCH_FRAME = 200;
