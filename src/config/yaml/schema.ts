/**
 * The top level of edgelb's YAML schema: which key holds which section type. Shared by the
 * reader (key → type) and the writer (type → key), so the two cannot disagree.
 *
 *   global: { … }                       one section, merged if the .cfg had several
 *   defaults: { … } | [ { … }, … ]      one or several defaults sections, in order
 *   frontends: { NAME: { … } }          and every other named section type, pluralised
 */
import type { SectionType } from '../../model/source.ts'

/** Top-level keys that hold one unnamed section's settings. */
export const SINGLE_SECTIONS: Readonly<Record<string, SectionType>> = {
  global: 'global',
  traces: 'traces',
}

/** Top-level keys that hold a map of section name → settings. */
export const NAMED_GROUPS: Readonly<Record<string, SectionType>> = {
  frontends: 'frontend',
  backends: 'backend',
  listen: 'listen',
  peers: 'peers',
  userlists: 'userlist',
  resolvers: 'resolvers',
  mailers: 'mailers',
  caches: 'cache',
  programs: 'program',
  'http-errors': 'http-errors',
  rings: 'ring',
  'log-forwards': 'log-forward',
  'fcgi-apps': 'fcgi-app',
  'crt-stores': 'crt-store',
  'log-profiles': 'log-profile',
  acme: 'acme',
}

/** Every top-level key, in the order the writer emits them. */
export const TOP_LEVEL_KEYS: readonly string[] = ['global', 'defaults', ...Object.keys(NAMED_GROUPS), 'traces']

/** Proxies: the sections where `from: NAME` names the defaults section to inherit from. */
export const PROXY_TYPES: ReadonlySet<SectionType> = new Set<SectionType>(['frontend', 'backend', 'listen'])

/** The top-level key a section type is written under. */
export function groupKeyOf(type: SectionType): string {
  if (type === 'defaults') return 'defaults'
  for (const [k, t] of Object.entries(SINGLE_SECTIONS)) if (t === type) return k
  for (const [k, t] of Object.entries(NAMED_GROUPS)) if (t === type) return k
  return type
}
