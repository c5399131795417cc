import { defineConfig } from 'vitest/config';

// The SDK's Node 20 end-of-support notice (see README) would repeat in every test process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Three projects:
 * - conformance: the product. One test per check x target, fed by the launcher (src/cli/main.ts)
 *   through `provide`; run it with `npm test -- --env=NAME`, not directly.
 * - unit: the project's own tests, no root and no AWS needed.
 * - twin: builds the local twin with real namespaces (root), checks its AWS semantics.
 */
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'conformance', include: ['src/run/conformance.test.ts'] } },
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { extends: true, test: { name: 'twin', include: ['test/twin/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } },
    ],
  },
});
