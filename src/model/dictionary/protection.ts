/**
 * Fail closed: what each kind of protection means to an operator, for the error that refuses a
 * config using one that edgelb does not implement yet, and for the loud warning printed instead
 * when the operator accepts the gap (`--allow-unimplemented`).
 *
 * A keyword is marked once, in its dictionary table (`protects`); rule actions are all protections
 * (a rule often guards, and skipping one changes what reaches the servers): see `actionProtection`.
 */
import type { KnownKeyword, KnownOption, Protection } from './types.ts'

interface ProtectionText {
  /** What running without the keyword would do, as the end of "edgelb would …". */
  risk: string
  /** What the operator can do instead, besides `--allow-unimplemented`. */
  instead: string
}

export const protectionText: Readonly<Record<Protection, ProtectionText>> = {
  tls: {
    risk: 'carry this traffic in clear text where TLS was asked for',
    instead: 'terminate TLS in front of edgelb, or pass it through in mode tcp, and remove the TLS settings',
  },
  'proxy-protocol': {
    risk: 'pass a PROXY header on as data, or send none to a server that expects one',
    instead: 'remove it where neither side speaks the PROXY protocol',
  },
  authentication: {
    risk: 'let everyone through where credentials were required',
    instead: 'put the authentication in the servers, or in front of edgelb',
  },
  access: {
    risk: 'leave open what this line restricts',
    instead: 'restrict access another way (firewall, socket permissions, the servers) and remove the line',
  },
  rules: {
    risk: 'skip this rule, which changes what reaches the servers',
    instead: 'rewrite it with actions edgelb implements (edgelb check lists them), or remove it',
  },
  filter: {
    risk: 'pass traffic on without the inspection this filter does',
    instead: 'remove the filter if nothing depends on it',
  },
  lua: {
    risk: 'skip the Lua code, and whatever it checks or blocks',
    instead: 'rewrite its logic with edgelb rules, or remove it',
  },
}

/** The entries of a dictionary table, each marked as protecting `p`. */
export function protecting<T extends KnownKeyword | KnownOption>(p: Protection, entries: readonly T[]): T[] {
  return entries.map((e) => ({ ...e, protects: p }))
}

/** Every rule action protects: `auth` authenticates, `lua.*` runs Lua, `expect-proxy` reads a
 *  PROXY header, the others are rules. */
export function actionProtection(action: string): Protection {
  if (action.startsWith('lua.')) return 'lua'
  if (action === 'auth') return 'authentication'
  if (action === 'expect-proxy' || action === 'expect-netscaler-cip') return 'proxy-protocol'
  return 'rules'
}
