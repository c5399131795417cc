import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { shellQuote } from '../model/param-types.ts';
import { HEREDOC_END, type ProbeDef } from '../model/probe.ts';
import { type PlannedProbe } from '../model/plan.ts';
import { BATCH_BEGIN, BATCH_END, MAX_PROBE_LINE } from '../model/batch-protocol.ts';

const LIB = readFileSync(fileURLToPath(new URL('../../probes/_lib/lib.sh', import.meta.url)), 'utf8');

/**
 * Builds the one POSIX sh script that runs every probe of a batch concurrently, each under its
 * own `timeout`, and prints one JSON line per probe between a begin and an end line.
 *
 * Safety: probe bodies go into quoted heredocs (no expansion); parameter values are validated
 * upstream and single-quoted here as environment assignments, so no value is ever parsed as code.
 * The script always exits 0: SSM reads 137 as TimedOut and 194 as a reboot request.
 */
export function buildBatchScript(input: {
  runId: string;
  batch: string;
  probes: readonly PlannedProbe[];
  defs: ReadonlyMap<string, Pick<ProbeDef, 'script'>>;
}): string {
  const used = [...new Set(input.probes.map((p) => p.probe))].sort();
  const lines: string[] = [
    `# pathproof run ${input.runId} batch ${input.batch}: ${input.probes.length} probes. Read-only; exits 0.`,
    `PP_DIR=$(mktemp -d 2>/dev/null || { mkdir -p "/tmp/pathproof.$$" && echo "/tmp/pathproof.$$"; })`,
    `trap 'rm -rf "$PP_DIR"' EXIT`,
    `cat > "$PP_DIR/lib.sh" <<'${HEREDOC_END}'`,
    LIB.trimEnd(),
    HEREDOC_END,
  ];
  for (const id of used) {
    const def = input.defs.get(id);
    if (!def) throw new Error(`probe ${id} has no definition`);
    lines.push(`cat > "$PP_DIR/${id}.sh" <<'${HEREDOC_END}'`, def.script.trimEnd(), HEREDOC_END);
  }
  lines.push(
    // pp_run INDEX SECONDS PROBE: runs one probe in its own directory (all made by one mkdir below:
    // a busy host runs out of processes first), then wraps its line.
    `pp_run() {`,
    `  PP_TMP="$PP_DIR/t$1" PP_LIB="$PP_DIR/lib.sh" timeout -k 2 "$2" sh -c '. "$PP_LIB"; . "$0"' "$PP_DIR/$3.sh" >"$PP_DIR/o$1" 2>"$PP_DIR/e$1"`,
    `  echo $? >"$PP_DIR/rc$1"`,
    `}`,
    `printf '{"${BATCH_BEGIN}":"%s","n":%d}\\n' ${shellQuote(input.batch)} ${input.probes.length}`,
    `mkdir ${input.probes.map((p) => `"$PP_DIR/t${p.index}"`).join(' ')}`,
  );
  for (const p of input.probes) {
    const env = Object.entries(p.params)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `PP_${k}=${shellQuote(v)}`);
    // A subshell per probe: exported parameters never leak between probes.
    const exports = env.length > 0 ? `export ${env.join(' ')}; ` : '';
    const run = `pp_run ${p.index} ${p.timeoutSeconds} ${p.probe}`;
    // The control gets a second try when its first did not succeed (its outcome keywords are
    // fixed by the probe definition, never by input); "tries" records it.
    const retry = p.retryUnless && p.retryUnless.length > 0
      ? `; case "$(head -n 1 "$PP_DIR/o${p.index}" 2>/dev/null)" in ${p.retryUnless.map((o) => `'{"r":"${o}"'*`).join('|')}) ;; *) echo 2 >"$PP_DIR/tries${p.index}"; ${run} ;; esac`
      : '';
    lines.push(`(${exports}${run}${retry}) &`);
  }
  lines.push(
    `wait`,
    `for i in ${input.probes.map((p) => p.index).join(' ')}; do`,
    // Builtins only for the common case (a busy host runs out of processes first): read the exit
    // code, the first line and the tries; the stderr excerpt is made only when there is no line.
    `  rc=255; line=''; tries=1; err=''`,
    `  read -r rc 2>/dev/null <"$PP_DIR/rc$i"`,
    `  read -r line 2>/dev/null <"$PP_DIR/o$i"`,
    `  read -r tries 2>/dev/null <"$PP_DIR/tries$i"`,
    `  case "$rc" in ''|*[!0-9]*) rc=255 ;; esac`,
    `  case "$tries" in ''|*[!0-9]*) tries=1 ;; esac`,
    `  if [ \${#line} -gt ${MAX_PROBE_LINE} ]; then line=''; err='probe output longer than ${MAX_PROBE_LINE} characters'; fi`,
    `  case "$line" in`,
    `    '{'*'}') printf '{"i":%s,"rc":%s,"tries":%s,"o":%s}\\n' "$i" "$rc" "$tries" "$line" ;;`,
    `    *) [ -n "$err" ] || err=$(head -c 200 "$PP_DIR/e$i" 2>/dev/null | tr -d '\\000-\\037' | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g')`,
    `       printf '{"i":%s,"rc":%s,"tries":%s,"o":null,"stderr":"%s"}\\n' "$i" "$rc" "$tries" "$err" ;;`,
    `  esac`,
    `done`,
    `printf '{"${BATCH_END}":"%s","n":%d}\\n' ${shellQuote(input.batch)} ${input.probes.length}`,
    `exit 0`,
  );
  return `${lines.join('\n')}\n`;
}
