/**
 * edgelb's import rules, checked by dependency-cruiser before every test run (`npm run
 * lint:layers`, which runs test/layers.ts). docs/architecture.md explains the layers; this file is
 * their executable form. Ad hoc graphs: `./node_modules/.bin/bun --bun depcruise src -T dot`.
 *
 * src/ is built in layers. A module imports from the layers below its own; on its own layer only
 * along the pairs listed in `sideways`; never from a layer above. `import type` counts: a layer
 * that names a type from above depends on it as much as one that calls it. Tests (*.test.ts) may
 * reach any layer, since a test beside the health checks may build a whole configuration for its
 * input; they take their helpers from test/support/.
 */
import { Visitor } from '@swc/core/Visitor.js'
import type { IConfiguration, IForbiddenRuleType } from 'dependency-cruiser'

/** Bottom first. A member is a folder of src/ or a single file in it. */
export const layers: readonly { layer: string; members: readonly string[] }[] = [
  { layer: 'ground', members: ['core', 'model', 'version.ts'] },
  { layer: 'I/O', members: ['net', 'log'] },
  { layer: 'protocol and rules', members: ['http', 'http2', 'rules'] },
  { layer: 'servers', members: ['balance', 'backend', 'check', 'peers'] },
  { layer: 'proxy', members: ['proxy'] },
  { layer: 'assembly', members: ['config', 'master', 'stats', 'admin'] },
  { layer: 'commands', members: ['cli', 'loadtest'] },
  { layer: 'entry', members: ['main.ts'] },
]

/** The imports allowed between members of one layer, as [importer, imported]. The reverse
 *  direction stays forbidden, so a layer has no circle between its folders. */
export const sideways: readonly (readonly [string, string])[] = [
  ['model', 'core'], // addresses in the model are checked with core's numeric IP (core/ip.ts)
  ['rules', 'http'], // rules read the heads that the HTTP parser made
  ['http2', 'http'], // HTTP/2 messages are translated to and from the HTTP/1.1 heads
  ['backend', 'balance'], // a backend runs its balancing algorithm
  ['check', 'backend'], // health checks move a backend's servers up and down
  ['master', 'config'], // programs start from the built configuration
  ['admin', 'stats'], // the runtime API's `show stat` renders the stats
  ['cli', 'loadtest'], // `edgelb bench` and `edgelb serve` run the load-test kit
]

const TESTS = '\\.test\\.ts$'
const pathOf = (member: string): string =>
  member.endsWith('.ts') ? `^src/${member.replace(/\./g, '\\.')}$` : `^src/${member}/`
const placed = layers.flatMap((l) => l.members)
/** A module of src/ on no layer: a new folder that nobody has placed yet. */
const UNPLACED = `^src/(?!${placed.map((m) => pathOf(m).slice('^src/'.length)).join('|')})`

function layerRules(): IForbiddenRuleType[] {
  return layers.flatMap(({ layer, members }, level) => {
    const above = layers.slice(level + 1).flatMap((l) => l.members)
    return members.flatMap((member): IForbiddenRuleType[] => {
      const across = sideways.filter(([from]) => from === member).map(([, to]) => to)
      const forbidden = [...above, ...members.filter((m) => m !== member && !across.includes(m))]
      if (forbidden.length === 0) return []
      const lower = layers.slice(0, level).map((l) => l.layer).join(', ')
      const own = across.map((m) => `src/${m}`).join(', ')
      return [{
        name: `layer-${member.replace(/\.ts$/, '')}`,
        severity: 'error',
        comment:
          `src/${member} is on the ${layer} layer: ` +
          (lower ? `it imports from the layers below (${lower})` : 'it imports nothing else from src/') +
          (own ? ` and, on its own layer, from ${own}` : '') +
          '; docs/architecture.md, "Layers"',
        from: { path: pathOf(member), pathNot: TESTS },
        to: { path: forbidden.map(pathOf) },
      }]
    })
  })
}

const PLACE_IT =
  'every module of src/ sits on a layer: add its folder to `layers` in .dependency-cruiser.ts and ' +
  'to docs/architecture.md'

const config: IConfiguration = {
  forbidden: [
    ...layerRules(),
    {
      name: 'no-unplaced-folder',
      severity: 'error',
      comment: PLACE_IT,
      from: { path: UNPLACED },
      to: { path: '^src/' },
    },
    {
      name: 'no-import-of-unplaced-folder',
      severity: 'error',
      comment: PLACE_IT,
      from: { pathNot: UNPLACED },
      to: { path: UNPLACED },
    },
    {
      // Type-only links do not count: `import type` is erased, so it orders no module loading.
      // (Circles of types remain today in src/proxy/: frontend.ts imports the session classes,
      // which import `type Frontend` back.)
      name: 'no-circular',
      severity: 'error',
      comment:
        'modules that import each other run in an order that depends on which one is imported ' +
        'first: break the circle with `import type`, or move the shared record to a types.ts',
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
    {
      name: 'no-bun-outside-net',
      severity: 'error',
      comment:
        'only src/net/ names the runtime: put the call behind the adapter in src/net/runtime.ts ' +
        '(tests may import bun:test)',
      from: { path: '^src/', pathNot: ['^src/net/', TESTS] },
      to: { path: '^bun($|:)' },
    },
    {
      name: 'no-test-or-bench-from-src',
      severity: 'error',
      comment: 'edgelb never depends on its tests or on its benchmark scripts',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: ['^test/', '^bench/'] },
    },
    {
      name: 'tests-beside-code-use-test-support',
      severity: 'error',
      comment:
        'a test beside the code takes its helpers from test/support/ (or a shared suite from ' +
        'test/conformance/), not from the end-to-end scenarios or the benchmark scripts',
      from: { path: `^src/.*${TESTS}` },
      to: { path: ['^test/', '^bench/'], pathNot: ['^test/support/', '^test/conformance/'] },
    },
    {
      name: 'no-import-of-a-test',
      severity: 'error',
      comment: 'a *.test.ts file is run by the test runner, never imported: move what it shares to test/support/',
      from: {},
      to: { path: TESTS },
    },
  ],
  options: {
    // TypeScript 7's compiler has no JavaScript API that dependency-cruiser can parse with; swc
    // has one, and tells type-only imports apart as well.
    parser: 'swc',
    moduleSystems: ['es6'],
    doNotFollow: { path: '^node_modules/' },
  },
}
export default config

// dependency-cruiser walks swc's syntax tree with swc's JavaScript Visitor, which predates `using`
// declarations and throws on them ("Unknown statement type"). Visit one as what it is, a list of
// variable declarators (their initialisers may hold an `import()`).
const visitStatement = Visitor.prototype.visitStatement
Visitor.prototype.visitStatement = function (this: Visitor, stmt) {
  const node = stmt as unknown as { type: string; decls: Parameters<Visitor['visitVariableDeclarators']>[0] }
  if (node.type !== 'UsingDeclaration') return visitStatement.call(this, stmt)
  node.decls = this.visitVariableDeclarators(node.decls)
  return stmt
}
