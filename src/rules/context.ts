/**
 * What compiling needs (load time) and the little state evaluation shares (run time).
 */
import type { SourcePos } from '../model/source.ts'
import type { MapStore } from './maps.ts'
import type { StickTable } from './stick-table.ts'
import type { Userlist } from './userlist.ts'
import type { HttpCache } from './cache.ts'
import type { Sample, SampleType, StreamView } from './types.ts'

/** Everything rules may refer to, shared by every proxy of the process. */
export interface RulesEnv {
  /** Stick tables by name (the proxy that declares each). */
  tables: ReadonlyMap<string, StickTable>
  maps: MapStore
  /** Directory of the configuration file: relative map and ACL files are read from there. */
  fileDir: string
  /** Backend names, to check `use_backend` and `nbsrv(NAME)` at load. Unchecked when absent. */
  backends?: ReadonlySet<string>
  /** `userlist` sections by name, for `http_auth(L)` and `http_auth_group(L)`. */
  userlists?: ReadonlyMap<string, Userlist>
  /** `cache` sections by name, for `cache-use` and `cache-store`. */
  caches?: ReadonlyMap<string, HttpCache>
}

/** The context of one rule being compiled. */
export interface CompileCtx extends RulesEnv {
  /** The proxy the rule is in (its stick table is the default table). */
  proxy: string
  at: SourcePos
  /** The proxy's named ACLs (declared or predefined), for the `acl()` fetch: a test answering
   *  acl.ts's FAIL, MISS or PASS; undefined for a name not declared. */
  acl?(name: string, at: SourcePos): ((s: StreamView) => number) | undefined
}

export type Fetch = (s: StreamView) => Sample | undefined
/** A test of one value (an ACL's patterns); it gets the stream for converters that read it. */
export type ValueTest = (v: Sample, s: StreamView) => boolean
/** For a multi-valued fetch (every header occurrence, every cookie of that name): builds at load
 *  the run-time test "some value passes `test`", for ACLs, which match if any value matches.
 *  Composed at load, so that a request allocates no closure to chain converters and patterns. */
export type FetchAny = (test: ValueTest) => (s: StreamView) => boolean
export type Converter = (v: Sample, s: StreamView) => Sample | undefined

export interface CompiledExpr {
  fn: Fetch
  any?: FetchAny
  type: SampleType
  /** Reads request bytes still arriving: may answer differently later (tcp-request content). */
  volatile: boolean
}

/**
 * Run-time flag of the payload fetches: set when a fetch lacked bytes that may still arrive.
 * ACL terms on volatile fetches clear it before fetching and read it after a failed match,
 * to answer "missing" rather than "no" (HAProxy's SMP_F_MAY_CHANGE → ACL_TEST_MISS).
 */
export const evalState = { mayChange: false }

/** Process-wide `proc.*` variables. */
export const procVars = new Map<string, Sample>()
