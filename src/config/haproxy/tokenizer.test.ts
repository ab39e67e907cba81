import { describe, expect, test } from 'bun:test'
import type { SourcePos } from '../../model/source.ts'
import { configErrorOf } from '../../../test/support/config.ts'
import { joinWords, quoteWord, tokenizeLine } from './tokenizer.ts'

const at: SourcePos = { file: 'haproxy.cfg', line: 7 }
const words = (text: string, env: Record<string, string> = {}): string[] => tokenizeLine(text, at, env).words

/** The ConfigError a line raises, as `check` would print it. */
function failure(text: string, env: Record<string, string> = {}): { message: string; pos: SourcePos } {
  const e = configErrorOf(() => tokenizeLine(text, at, env))
  return { message: e.message, pos: e.pos }
}

describe('words', () => {
  test('blanks and tabs separate words; leading and trailing blanks are ignored', () => {
    expect(words('  server\twebA   10.0.0.1:80 \t check  ')).toEqual(['server', 'webA', '10.0.0.1:80', 'check'])
  })

  test('a blank line has no words', () => {
    expect(tokenizeLine('   \t ', at)).toEqual({ words: [], unsetVars: [] })
  })

  test('quotes may join parts of one word', () => {
    expect(words(`a"b c"d 'e f'g`)).toEqual(['ab cd', 'e fg'])
  })

  test('an empty quoted string is an empty word', () => {
    expect(words(`http-response set-header X-Empty ""`)).toEqual(['http-response', 'set-header', 'X-Empty', ''])
    expect(words(`x '' y`)).toEqual(['x', '', 'y'])
  })
})

describe('comments', () => {
  test('# starts a comment; its text is kept trimmed, without the #', () => {
    expect(tokenizeLine(' bind :3389,:1494,:5900 # TSE, ICA and VNC at once.', at)).toEqual({
      words: ['bind', ':3389,:1494,:5900'],
      comment: 'TSE, ICA and VNC at once.',
      unsetVars: [],
    })
  })

  test('a # inside a word still starts a comment, as in HAProxy', () => {
    expect(tokenizeLine('maxconn 100#limit', at)).toEqual({ words: ['maxconn', '100'], comment: 'limit', unsetVars: [] })
  })

  test('a quoted or escaped # is part of the word', () => {
    expect(words(`acl frag url_reg "#x" '#y' \\#z`)).toEqual(['acl', 'frag', 'url_reg', '#x', '#y', '#z'])
  })

  test('an empty comment is not recorded', () => {
    expect(tokenizeLine('mode tcp #   ', at)).toEqual({ words: ['mode', 'tcp'], unsetVars: [] })
  })

  test('a whole-line comment has no words', () => {
    expect(tokenizeLine('# only a comment', at)).toEqual({ words: [], comment: 'only a comment', unsetVars: [] })
  })
})

describe('escapes', () => {
  test('a backslash before any other character is kept (regular expressions, back-references)', () => {
    expect(words('path_reg ^/a\\.b')).toEqual(['path_reg', '^/a\\.b'])
    expect(words('replace-header X (.*) \\1-x')).toEqual(['replace-header', 'X', '(.*)', '\\1-x'])
    expect(words('a\\ b \\\\ c\\#')).toEqual(['a b', '\\', 'c#'])
  })

  test('backslash-space joins a word across a blank', () => {
    expect(words('reqadd X-Proto:\\ SSL')).toEqual(['reqadd', 'X-Proto: SSL'])
  })

  test('\\r \\n \\t become control characters; \\\\ \\" \\\' \\$ stand for themselves', () => {
    expect(words('a\\r\\n\\tb \\\\ \\" \\\' \\$')).toEqual(['a\r\n\tb', '\\', '"', "'", '$'])
  })

  test('the 1.x httpchk form carries a real CRLF and an escaped space', () => {
    expect(words('option httpchk OPTIONS * HTTP/1.1\\r\\nHost:\\ www')).toEqual(['option', 'httpchk', 'OPTIONS', '*', 'HTTP/1.1\r\nHost: www'])
  })

  test('\\xNN is a byte in hex', () => {
    expect(words('x\\x41\\x7e')).toEqual(['xA~'])
  })

  test('\\x without two hex digits is an error at its column', () => {
    expect(failure('abc \\xZ1')).toEqual({ message: "invalid escape '\\xZ1': expected two hex digits", pos: { ...at, col: 5 } })
  })

  test('escapes work inside double quotes but not inside single quotes', () => {
    expect(words(`"a\\tb" 'a\\tb'`)).toEqual(['a\tb', 'a\\tb'])
  })

  test('a trailing backslash is kept literally', () => {
    expect(words('path C:\\')).toEqual(['path', 'C:\\'])
  })
})

describe('environment variables', () => {
  const env = { PORT: '8080', HOST: '10.0.0.1', EMPTY: '' }

  test('${VAR} expands from the environment, also inside a word and inside double quotes', () => {
    expect(words('bind ${HOST}:${PORT} "x-${PORT}"', env)).toEqual(['bind', '10.0.0.1:8080', 'x-8080'])
  })

  test('${VAR-default} uses the default only when VAR is unset', () => {
    expect(words('${PORT-80} ${NOPE-80} ${EMPTY-80} ${NOPE-}x', env)).toEqual(['8080', '80', '', 'x'])
  })

  test('an unset ${VAR} without default expands to nothing and is reported', () => {
    expect(tokenizeLine('server s ${BACKEND_HOST}:80', at, {})).toEqual({ words: ['server', 's', ':80'], unsetVars: ['BACKEND_HOST'] })
  })

  test('$VAR without braces expands inside double quotes only, as in HAProxy 2.x; single quotes are literal', () => {
    expect(words(`'\${PORT}' $PORT "$PORT" "$HOST:$PORT" '$PORT' $6$salt$hash`, env)).toEqual(['${PORT}', '$PORT', '8080', '10.0.0.1:8080', '$PORT', '$6$salt$hash'])
  })

  test('a $ not followed by a name stays as written; an unset "$VAR" is reported', () => {
    expect(words('path_reg "^/a$" "x$" "$1" "a$-b"', env)).toEqual(['path_reg', '^/a$', 'x$', '$1', 'a$-b'])
    expect(tokenizeLine('bind "$NOPE:80"', at, {})).toEqual({ words: ['bind', ':80'], unsetVars: ['NOPE'] })
  })

  test('a value with blanks stays one word', () => {
    expect(words('log-format ${FMT}', { FMT: '%ci %b' })).toEqual(['log-format', '%ci %b'])
  })

  test('an unterminated reference is an error at its column', () => {
    expect(failure('bind :${PORT')).toEqual({ message: 'unterminated environment variable reference at column 7', pos: { ...at, col: 7 } })
  })

  test('an invalid variable name is an error', () => {
    expect(failure('bind ${1PORT}').message).toBe("invalid environment variable name '1PORT' in '${1PORT}'")
  })
})

describe('unbalanced quotes', () => {
  test('an unclosed double quote is an error on its line', () => {
    expect(failure('bind ":80')).toEqual({ message: 'unbalanced double quote starting a word; close it with "', pos: at })
  })

  test('an unclosed single quote is an error on its line', () => {
    expect(failure("acl x path 'abc")).toEqual({ message: "unbalanced single quote starting a word; close it with '", pos: at })
  })
})

describe('quoteWord and joinWords', () => {
  test('plain words stay bare', () => {
    expect(quoteWord('10.0.0.1:80')).toBe('10.0.0.1:80')
    expect(quoteWord('hdr(host),lower')).toBe('hdr(host),lower')
  })

  test('words with blanks are single-quoted; with quotes or control characters double-quoted', () => {
    expect(quoteWord('a b')).toBe("'a b'")
    expect(quoteWord('')).toBe("''")
    expect(quoteWord('HTTP/1.1\r\nHost: www')).toBe('"HTTP/1.1\\r\\nHost: www"')
    expect(quoteWord(`it's`)).toBe(`"it's"`)
    expect(quoteWord('${X}')).toBe('"\\${X}"')
  })

  test('every word reads back unchanged', () => {
    const tricky = ['plain', '', 'a b', '#hash', "it's", 'say "hi"', 'tab\there', 'cr\r\nlf', '${NOT_A_VAR}', 'back\\slash', 'nul\x01byte', 'é ü']
    expect(tokenizeLine(joinWords(tricky), at, { NOT_A_VAR: 'expanded' }).words).toEqual(tricky)
  })
})
