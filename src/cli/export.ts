import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { loadConfig } from '../load/config.ts';
import { PathproofError } from '../model/errors.ts';
import { securityHubFor } from '../run/session.ts';

/** `pathproof export securityhub --report DIR [--env NAME]`: imports the run's securityhub.asff.json. */
export async function exportCommand(root: string, target: string, dir: string, env: string): Promise<number> {
  if (target !== 'securityhub') throw new PathproofError('USAGE', `export knows securityhub only, not ${JSON.stringify(target)}`);
  const file = path.join(dir, 'securityhub.asff.json');
  let findings: AwsSecurityFinding[];
  try {
    findings = (JSON.parse(readFileSync(file, 'utf8')) as { Findings: AwsSecurityFinding[] }).Findings;
  } catch (e) {
    throw new PathproofError('USAGE', `${file} cannot be read as ASFF (${(e as Error).message}): give the report folder of a run (reports/pp-…)`);
  }
  const config = loadConfig({ root, env, marker: 'export' });
  // Findings go to the account and region each names; group them so each import uses that account's credentials.
  const groups = new Map<string, AwsSecurityFinding[]>();
  for (const f of findings) groups.set(`${f.AwsAccountId}|${f.Region}`, [...(groups.get(`${f.AwsAccountId}|${f.Region}`) ?? []), f]);
  let failed = 0;
  for (const [key, list] of groups) {
    const [accountId, region] = key.split('|') as [string, string];
    const hub = securityHubFor(config, accountId, region);
    try {
      const out = await hub.import(list);
      process.stdout.write(`securityhub ${accountId} ${region}: ${out.imported} of ${list.length} findings imported\n`);
      for (const f of out.failed) process.stdout.write(`  failed ${f.id}: ${f.code} ${f.message}\n`);
      failed += out.failed.length;
    } finally {
      hub.dispose();
    }
  }
  return failed ? 1 : 0;
}
