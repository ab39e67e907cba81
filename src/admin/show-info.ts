/**
 * `show info`: the process, as HAProxy's `Name: value` lines (stats/info.ts has the fields).
 */
import { infoFields } from '../stats/info.ts'
import type { CliCommand } from './types.ts'

export const showInfo: CliCommand = {
  words: ['show', 'info'],
  usage: 'show info [json|typed] [desc]',
  help: 'report information about the running process',
  run(args, ctx) {
    const fields = infoFields(ctx.engine)
    if (args.includes('json')) {
      const items = fields.map(([name, v], i) => `{"field":{"pos":${i},"name":"${name}"},"processNum":1,"tags":{"origin":"Metric","nature":"Gauge","scope":"Process"},"value":{"type":"${typeof v === 'number' ? 'u32' : 'str'}","value":${JSON.stringify(v)}}}`)
      return `[${items.join(',')}]\n`
    }
    if (args.includes('typed')) return fields.map(([name, v], i) => `${i}.${name}.1:MGP:${typeof v === 'number' ? 'u32' : 'str'}:${v}\n`).join('')
    return fields.map(([name, v]) => `${name}: ${v}\n`).join('')
  },
}
