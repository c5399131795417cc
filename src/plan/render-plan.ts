import { isAssertionCheck, type Config } from '../model/check.ts';
import type { Plan } from '../model/plan.ts';

/** The dry-run view: every target selection and the exact SendCommand that would be sent. */
export function renderPlan(plan: Plan, config: Config): string {
  const lines = [`pathproof dry run ${plan.runId}, env ${plan.env}: ${plan.checks.length} checks, ${plan.batches.length} batches, ${plan.commands.length} SendCommand calls. Nothing is sent.`, ''];
  for (const b of plan.batches) {
    lines.push(`== batch ${b.id}: zone ${b.zone}, account ${b.account} (${config.env.accounts[b.account]!.id}), region ${b.region}`);
    lines.push(`   targets: ${b.targets.map((t) => t.instanceId).join(', ')}`);
    for (const p of b.probes) lines.push(`   [${p.index}] ${p.key}: ${p.probe} ${Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' ')} (timeout ${p.timeoutSeconds} s)`);
    for (const c of plan.commands.filter((c) => c.batch === b.id)) {
      lines.push(`   aws ssm send-command --region ${b.region} --document-name AWS-RunShellScript --instance-ids ${c.instanceIds.join(' ')} --comment ${JSON.stringify(c.comment)} --timeout-seconds ${config.env.timeouts.deliverySeconds} --max-errors 100% --parameters executionTimeout=${b.executionTimeoutSeconds},commands=<script below>`);
    }
    lines.push('   --- script ---', b.script.trimEnd(), '   --- end of script ---', '');
  }
  const configChecks = plan.checks.filter(isAssertionCheck);
  if (configChecks.length) lines.push(`config checks (read from the AWS API at run time, no command sent): ${configChecks.map((c) => `${c.id} [${c.assert}]`).join(', ')}`);
  for (const z of plan.untargeted) lines.push(`!! zone ${z} has checks but no targets: they would be ERROR`);
  return `${lines.join('\n')}\n`;
}
