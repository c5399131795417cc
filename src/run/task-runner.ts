import createDebug from 'debug';

/**
 * A run as a list of tasks, each with an optional paired teardown (the shape of playwright's
 * runner/taskRunner.ts): setups run in order; the teardowns of the tasks that ran always run,
 * newest first, even when a later task throws; their own errors are collected, never thrown over
 * the task's error or result.
 */
export interface Task<C> {
  readonly title: string;
  /** Does the task's work; may return its teardown. Returning `{ stop: code }` ends the run there with that exit code. */
  setup(ctx: C): Promise<void | Teardown | Stop> | void | Teardown | Stop;
}
export type Teardown = () => PromiseLike<void> | void;
export interface Stop { readonly stop: number }

export interface TaskRun {
  /** Set when a task stopped the run (e.g. a failed preflight: exit 2). */
  readonly stoppedWith?: number;
  readonly teardownErrors: readonly string[];
}

const debug = createDebug('pathproof:tasks');
const rssMb = () => Math.round(process.memoryUsage.rss() / 1048576);

/** `DEBUG=pathproof:tasks` prints each task's and teardown's time and the process's RSS after it: where a run's time and memory go. */
export async function runTasks<C>(tasks: readonly Task<C>[], ctx: C, log: (task: string) => void = () => {}): Promise<TaskRun> {
  const teardowns: { title: string; fn: Teardown }[] = [];
  const errors: string[] = [];
  let stoppedWith: number | undefined;
  try {
    for (const task of tasks) {
      log(task.title);
      const t0 = Date.now();
      let out: Awaited<ReturnType<Task<C>['setup']>>;
      try { out = await task.setup(ctx); } finally { debug('%s: %d ms, rss %d MB', task.title, Date.now() - t0, rssMb()); }
      if (typeof out === 'function') teardowns.push({ title: task.title, fn: out });
      else if (out && 'stop' in out) { stoppedWith = out.stop; break; }
    }
  } finally {
    for (let t = teardowns.pop(); t; t = teardowns.pop()) {
      const t0 = Date.now();
      try { await t.fn(); } catch (e) { errors.push(`${t.title}: ${(e as Error).message}`); }
      debug('teardown of %s: %d ms, rss %d MB', t.title, Date.now() - t0, rssMb());
    }
  }
  return { ...(stoppedWith !== undefined ? { stoppedWith } : {}), teardownErrors: errors };
}
