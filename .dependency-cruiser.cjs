/**
 * The folders are boundaries (ARCHITECTURE.md): each may import only what its allow-list names.
 * `npm run lint` checks it; CI runs it. A rule here is the contract, not a suggestion.
 */
const src = (dir) => `^src/${dir}/`;
/** Allowed project imports per folder (anything outside the project, such as node: and npm packages, is checked by the forbidden rules below). */
const allowed = {
  [src('model')]: [src('model')],
  [src('shared')]: [src('shared'), src('model')],
  [src('load')]: [src('load'), src('model'), src('shared')],
  [src('plan')]: [src('plan'), src('model'), '^probes/'],
  [src('verdict')]: [src('verdict'), src('model')],
  [src('report')]: [src('report'), src('model'), '^reporters/'],
  '^reporters/': ['^reporters/', src('model')],
  [src('aws')]: [src('aws'), src('model'), src('shared')],
  '^infra/twin/': ['^infra/twin/', src('model'), src('shared'), `${src('aws')}read-state\\.ts$`],
  // The engine's run: the pipeline stages and the ports; only the composition root (session.ts) builds adapters.
  [src('run')]: [src('run'), src('model'), src('plan'), src('verdict'), src('report'), src('shared')],
  [src('cli')]: [src('cli'), src('model'), src('shared'), src('load'), src('plan'), src('report'), src('run'), src('verdict')],
};
const composition = ['^src/run/session\\.ts$', '^src/cli/signing-setup\\.ts$', '^src/cli/main\\.ts$'];

module.exports = {
  forbidden: [
    ...Object.entries(allowed).map(([from, to]) => ({
      name: `boundary:${from.replace(/[\^\\$]/g, '').replace(/\/$/, '')}`,
      comment: `${from} may import only ${to.join(', ')} (see ARCHITECTURE.md)`,
      severity: 'error',
      from: { path: from, pathNot: composition },
      to: { path: '^(src|infra|reporters|probes|scripts|test|suites|fixtures)/', pathNot: to },
    })),
    {
      name: 'composition-root',
      comment: 'only the composition root builds adapters (AWS clients, the twin); the CLI reaches them through it',
      severity: 'error',
      from: { path: composition },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'model-imports-nothing',
      comment: 'the model is the ground floor: types and pure helpers, no AWS SDK, no I/O',
      severity: 'error',
      from: { path: src('model') },
      to: { path: '(^|/)node_modules/(@aws-sdk|@smithy|execa|vitest)/' },
    },
    {
      name: 'reporters-pure',
      comment: 'a reporter is a pure function of the report: no AWS client, no twin, no file system',
      severity: 'error',
      from: { path: ['^reporters/', src('report')] },
      to: { path: '(^|/)node_modules/@aws-sdk/' },
    },
    {
      name: 'verdict-pure',
      comment: 'judging reads observations, never the transport or the twin',
      severity: 'error',
      from: { path: src('verdict') },
      to: { path: ['(^|/)node_modules/@aws-sdk/', '^infra/', src('aws')] },
    },
    {
      name: 'no-circular',
      comment: 'no module may reach itself through its imports',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
