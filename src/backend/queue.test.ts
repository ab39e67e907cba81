// The pending queue on its own: first in, first out, and a waiter that leaves from anywhere.
import { describe, expect, test } from 'bun:test'
import { WaitQueue, type Waiter } from './queue.ts'

function waiter(name: string): Waiter & { name: string } {
  return { name, queuedAt: -1, grant() {}, _qPrev: null, _qNext: null, _queue: null }
}

function names(q: WaitQueue): string[] {
  return q.drain().map((w) => (w as Waiter & { name: string }).name)
}

describe('WaitQueue', () => {
  test('serves waiters in the order they arrived, and stamps each with its arrival time', () => {
    const q = new WaitQueue()
    const [a, b, c] = [waiter('a'), waiter('b'), waiter('c')]
    q.push(a, 10)
    q.push(b, 20)
    q.push(c, 30)
    expect(q.length).toBe(3)
    expect(q.peek()).toBe(a)
    expect(q.length).toBe(3)
    expect([a.queuedAt, b.queuedAt, c.queuedAt]).toEqual([10, 20, 30])
    expect(q.shift()).toBe(a)
    expect(q.shift()).toBe(b)
    expect(q.shift()).toBe(c)
    expect(q.shift()).toBeNull()
    expect(q.length).toBe(0)
  })

  test('a waiter leaves from the middle, the head or the tail, and the others keep their order', () => {
    const q = new WaitQueue()
    const w = ['a', 'b', 'c', 'd', 'e'].map(waiter)
    for (const x of w) q.push(x, 0)
    expect(q.remove(w[2]!)).toBe(true)
    expect(q.remove(w[0]!)).toBe(true)
    expect(q.remove(w[4]!)).toBe(true)
    expect(q.length).toBe(2)
    expect(names(q)).toEqual(['b', 'd'])
  })

  test('removing a waiter that is not in this queue changes nothing', () => {
    const q = new WaitQueue()
    const other = new WaitQueue()
    const [a, b] = [waiter('a'), waiter('b')]
    q.push(a, 0)
    other.push(b, 0)
    expect(q.remove(b)).toBe(false)
    expect(q.remove(waiter('never queued'))).toBe(false)
    expect(q.length).toBe(1)
    expect(other.length).toBe(1)
    expect(q.remove(a)).toBe(true)
    expect(q.remove(a)).toBe(false)
    expect(q.length).toBe(0)
  })

  test('a waiter pushed onto another queue leaves the one it was in', () => {
    const server = new WaitQueue()
    const backend = new WaitQueue()
    const [a, b] = [waiter('a'), waiter('b')]
    server.push(a, 5)
    server.push(b, 6)
    backend.push(a, 7)
    expect(server.length).toBe(1)
    expect(server.peek()).toBe(b)
    expect(backend.peek()).toBe(a)
    expect(a.queuedAt).toBe(7)
  })

  test('drain takes every waiter out in order and leaves each free to queue again', () => {
    const q = new WaitQueue()
    const w = ['a', 'b', 'c'].map(waiter)
    for (const x of w) q.push(x, 0)
    expect(q.drain()).toEqual(w)
    expect(q.length).toBe(0)
    expect(q.peek()).toBeNull()
    for (const x of w) expect(x._queue).toBeNull()
    q.push(w[1]!, 1)
    expect(q.length).toBe(1)
  })
})
