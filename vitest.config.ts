import { defineConfig } from 'vitest/config';

// The SDK's Node 20 end-of-support notice (see README) would repeat in every test process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Four projects:
 * - conformance: the product. One test per check x target, fed by the launcher (src/cli/main.ts)
 *   through `provide`; run it with `npm test -- --env=NAME`, not directly.
 * - unit: the project's own tests, no root and no AWS needed.
 * - twin: the CLI in this checkout against the local twin (root): interrupts, `lab up` (which the
 *   checkout's runs then reuse), disruption. One file at a time, after the unit files (in the
 *   same process, `npm run test:self`).
 * - twin-labs: tests that start labs of their own by run id (mutation proof, controls, semantics,
 *   DNS Firewall, the SSM gateway, reap) and the re-based copy of the checkout. One file at a
 *   time, alongside `unit` and `twin` from the start: runs coexist on a machine by design. The
 *   split keeps the two processes about equally long on two cores.
 */
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one, on a 2-core machine, which runs every
    // project one file at a time. Three lets the unit files, `twin` and `twin-labs` run side by side.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'conformance', include: ['src/run/conformance.test.ts'] } },
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 90_000 } },
      { extends: true, test: { name: 'twin', include: ['test/twin/lifecycle.test.ts', 'test/twin/disruptive.test.ts'], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false } },
      { extends: true, test: { name: 'twin-labs', include: ['test/twin/**/*.test.ts'], exclude: ['test/twin/lifecycle.test.ts', 'test/twin/disruptive.test.ts'], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false } },
    ],
  },
});
