/**
 * `npm run lint:layers` (the first step of `npm test`): dependency-cruiser checks every import of
 * src/, test/, bench/ and build.ts against the rules in .dependency-cruiser.ts, and each
 * violation is printed as `FILE:LINE: error RULE: …` with the rule's reason under it.
 * Exit status: 0 when every import obeys the rules, 1 otherwise.
 */
import { readFileSync } from 'node:fs'
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser'
import config from '../.dependency-cruiser.ts'

const ROOTS = ['src', 'test', 'bench', 'build.ts']

/** The line of `from` that imports `to`, found by the specifier dependency-cruiser recorded. */
function lineOf(result: ICruiseResult, from: string, to: string): number {
  const spec = result.modules.find((m) => m.source === from)?.dependencies.find((d) => d.resolved === to)?.module
  if (spec === undefined) return 1
  const lines = readFileSync(from, 'utf8').split('\n')
  const at = lines.findIndex((l) => l.includes(`'${spec}'`) || l.includes(`"${spec}"`))
  return at + 1 || 1
}

function format(result: ICruiseResult, v: IViolation): string {
  const to = v.cycle?.[0]?.name ?? v.to
  const what = v.cycle ? [v.from, ...v.cycle.map((c) => c.name)].join(' -> ') : `imports ${v.to}`
  const line = `${v.from}:${lineOf(result, v.from, to)}: ${v.rule.severity} ${v.rule.name}: ${what}`
  const why = config.forbidden?.find((r) => r.name === v.rule.name)?.comment
  return why ? `${line}\n    ${why}` : line
}

const { output } = await cruise(ROOTS, { ...config.options, validate: true, ruleSet: config })
const result = output as ICruiseResult
const { violations, totalCruised, totalDependenciesCruised = 0 } = result.summary
for (const v of violations) console.error(format(result, v))
const errors = violations.filter((v) => v.rule.severity === 'error').length
console.error(
  `layers: ${totalCruised} modules, ${totalDependenciesCruised} imports, ` +
    (errors ? `${errors} breaking the rules in .dependency-cruiser.ts` : 'all within the rules'),
)
process.exit(errors ? 1 : 0)
