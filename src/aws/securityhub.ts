import { BatchImportFindingsCommand, type AwsSecurityFinding, type SecurityHubClient } from '@aws-sdk/client-securityhub';

export interface ImportOutcome { readonly imported: number; readonly failed: readonly { readonly id: string; readonly code: string; readonly message: string }[] }

/**
 * Imports ASFF findings with BatchImportFindings: at most 100 per call (the API's limit), failed
 * findings retried with backoff and reported by id. Throttling is retried by the SDK's adaptive mode.
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html
 */
export async function importFindings(hub: SecurityHubClient, findings: readonly AwsSecurityFinding[], opts: { attempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<ImportOutcome> {
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let imported = 0;
  const failed: { id: string; code: string; message: string }[] = [];
  for (let i = 0; i < findings.length; i += 100) {
    let batch = findings.slice(i, i + 100);
    for (let attempt = 1; batch.length > 0; attempt++) {
      const out = await hub.send(new BatchImportFindingsCommand({ Findings: [...batch] }));
      imported += out.SuccessCount ?? 0;
      const bad = out.FailedFindings ?? [];
      if (bad.length === 0) break;
      if (attempt >= attempts) {
        failed.push(...bad.map((b) => ({ id: b.Id ?? '?', code: b.ErrorCode ?? '?', message: b.ErrorMessage ?? '' })));
        break;
      }
      await sleep(2 ** attempt * 250 + Math.random() * 250);
      const again = new Set(bad.map((b) => b.Id));
      batch = batch.filter((f) => again.has(f.Id));
    }
  }
  return { imported, failed };
}
