// What the runtime binds for each kind of configured `bind` address.
import { expect, test } from 'bun:test'
import { listenTarget } from './listen-target.ts'

test('an address with a host binds that host and port', () => {
  expect(listenTarget({ family: 'ipv4', host: '10.0.0.1', port: 80 })).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 80 })
  expect(listenTarget({ family: 'ipv6', host: '::1', port: 8443 })).toEqual({ kind: 'tcp', host: '::1', port: 8443 })
})

test('an address without a host (`:80`) binds every address of its family', () => {
  expect(listenTarget({ family: 'ipv4', host: '', port: 80 })).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 80 })
  expect(listenTarget({ family: 'ipv6', host: '', port: 80 })).toEqual({ kind: 'tcp', host: '::', port: 80 })
})

test('port 0 stays 0: the system picks a free port', () => {
  expect(listenTarget({ family: 'ipv4', host: '127.0.0.1', port: 0 })).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 })
})

test('a unix socket binds its path, and an inherited descriptor its number', () => {
  expect(listenTarget({ family: 'unix', path: '/run/edgelb.sock' })).toEqual({ kind: 'unix', path: '/run/edgelb.sock' })
  expect(listenTarget({ family: 'fd', fd: 3 })).toEqual({ kind: 'fd', fd: 3 })
})
