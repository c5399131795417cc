import createDebug from 'debug';

const log = createDebug('pathproof:lab');

/**
 * Last in, first out. Every resource is registered the moment it exists; dispose always runs
 * every step, collects failures instead of stopping, and never throws over the caller's result.
 */
export class TeardownStack implements AsyncDisposable {
  private readonly steps: { what: string; fn: () => unknown }[] = [];
  private disposed = false;

  defer(what: string, fn: () => unknown): void {
    this.steps.push({ what, fn });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every step, newest first; returns the errors (also logged), never throws. */
  async dispose(): Promise<string[]> {
    if (this.disposed) return [];
    this.disposed = true;
    const errors: string[] = [];
    for (let s = this.steps.pop(); s; s = this.steps.pop()) {
      try {
        await s.fn();
        log('torn down: %s', s.what);
      } catch (e) {
        errors.push(`${s.what}: ${(e as Error).message}`);
      }
    }
    return errors;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const errors = await this.dispose();
    if (errors.length) process.stderr.write(`pathproof: teardown problems:\n${errors.map((e) => `  ${e}`).join('\n')}\n`);
  }
}
