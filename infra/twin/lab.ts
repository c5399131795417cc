export async function startLab(_o: { root: string; runId: string; log: (l: string) => void }): Promise<{ endpoint: string; runId: string } & AsyncDisposable> {
  throw new Error('twin not built yet');
}
