/**
 * docs/config.md names every keyword edgelb implements, so that a keyword added to a table without
 * its line in the documentation fails here. A keyword counts as named when a code span (or a line
 * of a code block) spells its phrase, `a|b` standing for either word (`stick on|match`).
 */
import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bindOptionKeywords } from '../src/config/keywords/bind-options.ts'
import { globalKeywords } from '../src/config/keywords/global.ts'
import { legacyProxyKeywords } from '../src/config/keywords/legacy.ts'
import { proxyKeywords } from '../src/config/keywords/proxy.ts'
import { serverOptionKeywords } from '../src/config/keywords/server-options.ts'

const md = readFileSync(fileURLToPath(new URL('../docs/config.md', import.meta.url)), 'utf8')
const FENCE = /```[a-z]*\n([\s\S]*?)```/g
const spans: string[][] = [
  ...[...md.matchAll(FENCE)].flatMap((m) => m[1]!.split('\n')),
  ...[...md.replace(FENCE, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|')),
].map((text) => text.split(/[\s[\]]+/).filter((w) => w !== ''))

/** Whether some span holds the phrase's words in a row (a span word may be `a|b|c`). */
function named(phrase: string): boolean {
  const words = phrase.split(' ')
  return spans.some((span) => span.some((_, i) => words.every((w, k) => span[i + k]?.split('|').includes(w))))
}

test('every keyword edgelb implements is in docs/config.md', () => {
  const implemented = [...proxyKeywords, ...legacyProxyKeywords, ...globalKeywords, ...serverOptionKeywords, ...bindOptionKeywords]
    .filter((k) => k.notBuilt === undefined)
    .map((k) => k.kw)
  expect(implemented.filter((kw) => !named(kw))).toEqual([])
})
