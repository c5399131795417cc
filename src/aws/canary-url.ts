import type { CanaryRecord } from '../model/result.ts';
import { type CanaryPort } from '../model/ports.ts';

/** Asks an operator-run canary service what reached it: GET URL?marker=M → JSON lines of hits. */
export function urlCanary(recordUrl: string): CanaryPort {
  return {
    async received(marker) {
      const url = new URL(recordUrl);
      url.searchParams.set('marker', marker);
      const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!r.ok) return { marker, available: false, hits: [], error: `${url.origin} answered HTTP ${r.status}` };
      const hits = (await r.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as CanaryRecord['hits'][number]);
      return { marker, available: true, hits };
    },
  };
}
