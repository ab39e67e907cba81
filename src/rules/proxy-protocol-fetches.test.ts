import { describe, expect, test } from 'bun:test'
import { parseProxyHeader, type ProxyHeader } from '../net/proxy-protocol.ts'
import { session, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { AclSet, PASS, splitCondition } from './acl.ts'
import { compileExpr } from './expr.ts'
import type { ProxiedConn } from './types.ts'

const SIG = '0d0a0d0a000d0a515549540a'

function header(hex: string): ProxyHeader {
  const r = parseProxyHeader(Buffer.from(hex, 'hex'), 16384)
  if (r.kind !== 'done') throw new Error(JSON.stringify(r))
  return r.header
}

/** A v2 header from 192.0.2.1:56324 to 198.51.100.11:443 with AUTHORITY, UNIQUE_ID and two 0xE0. */
const TLVS = '02000b' + Buffer.from('example.com').toString('hex') + '050003' + Buffer.from('id7').toString('hex') + 'e00001' + '61' + 'e00001' + '62'
const proxied: ProxiedConn = {
  header: header(SIG + '2111' + (12 + TLVS.length / 2).toString(16).padStart(4, '0') + 'c0000201c633640bdc0401bb' + TLVS),
  fcSrc: '127.0.0.1', fcSrcPort: 5555, fcDst: '127.0.0.2', fcDstPort: 8443,
}
const viaProxy = stream({ sess: session({ cliAddr: '192.0.2.1', cliPort: 56324, dstAddr: '198.51.100.11', dstPort: 443, proxied }) })
const direct = stream()

const run = (expr: string, s = viaProxy) => compileExpr(expr, testCtx()).fn(s)

describe('fc_* fetches', () => {
  test('fc_rcvd_proxy', () => {
    expect([run('fc_rcvd_proxy'), run('fc_rcvd_proxy', direct)]).toEqual([true, false])
  })

  test('fc_src, fc_dst and their ports are the socket\'s; without a header, src\'s and dst\'s', () => {
    expect(['fc_src', 'fc_src_port', 'fc_dst', 'fc_dst_port', 'src', 'dst'].map((f) => run(f))).toEqual(['127.0.0.1', 5555, '127.0.0.2', 8443, '192.0.2.1', '198.51.100.11'])
    expect(['fc_src', 'fc_src_port', 'fc_dst', 'fc_dst_port'].map((f) => run(f, direct))).toEqual(['192.168.1.10', 40000, '10.0.0.1', 80])
  })

  test('fc_pp_authority, fc_pp_unique_id; nothing without a header or the TLV', () => {
    expect([run('fc_pp_authority'), run('fc_pp_unique_id')]).toEqual(['example.com', 'id7'])
    expect([run('fc_pp_authority', direct), run('fc_pp_unique_id', direct)]).toEqual([undefined, undefined])
  })

  test('fc_pp_tlv(ID): by number (decimal, hex, octal) or name, any case; the first of duplicates, any of them for ACLs', () => {
    expect(['fc_pp_tlv(224)', 'fc_pp_tlv(0xE0)', 'fc_pp_tlv(0340)', 'fc_pp_tlv(AUTHORITY)', 'fc_pp_tlv(unique_id)', 'fc_pp_tlv(2)', 'fc_pp_tlv(NOOP)'].map((e) => run(e))).toEqual(['a', 'a', 'a', 'example.com', 'id7', 'example.com', undefined])
    const ctx = testCtx()
    const { cond } = splitCondition(['if', '{', 'fc_pp_tlv(0xE0)', 'b', '}'], new AclSet([], ctx), ctx)
    expect(cond!(viaProxy)).toBe(PASS)
  })

  test('fc_pp_tlv refuses what is no TLV type', () => {
    for (const bad of ['256', '0x100', 'CRC', '-1', '1e2']) expect(() => compileExpr(`fc_pp_tlv(${bad})`, testCtx())).toThrow(/fc_pp_tlv: .* is no TLV type/)
  })
})
