/** Exits once stdout and stderr are flushed: writes to a pipe are asynchronous, and `process.exit` alone would cut them off. */
export function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
