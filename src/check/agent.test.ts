// Agent replies: the words HAProxy's agent protocol knows, in any order and combination.
import { describe, expect, test } from 'bun:test'
import { agentMaxconn, agentWeight, parseAgentReply } from './agent.ts'

describe('parseAgentReply', () => {
  test('reads each kind of word', () => {
    expect(parseAgentReply('up')).toEqual({ health: 'up', desc: '' })
    expect(parseAgentReply('down')).toEqual({ health: 'down', desc: '' })
    expect(parseAgentReply('stopped')).toEqual({ health: 'stopped', desc: '' })
    expect(parseAgentReply('fail')).toEqual({ health: 'fail', desc: '' })
    expect(parseAgentReply('ready')).toEqual({ admin: 'ready', desc: '' })
    expect(parseAgentReply('drain')).toEqual({ admin: 'drain', desc: '' })
    expect(parseAgentReply('maint')).toEqual({ admin: 'maint', desc: '' })
    expect(parseAgentReply('75%')).toEqual({ weight: '75%', desc: '' })
    expect(parseAgentReply('maxconn:30')).toEqual({ maxconn: '30', desc: '' })
  })

  test('takes combinations separated by spaces, tabs or commas; the last of a kind wins', () => {
    expect(parseAgentReply('75%,maxconn:30,maint,down')).toEqual({ weight: '75%', maxconn: '30', admin: 'maint', health: 'down', desc: '' })
    expect(parseAgentReply('up\t50%  ready,drain')).toEqual({ health: 'up', weight: '50%', admin: 'drain', desc: '' })
    expect(parseAgentReply('UP 10%')).toEqual({ health: 'up', weight: '10%', desc: '' })
  })

  test('keeps the description after # and the first word it does not know', () => {
    expect(parseAgentReply('down # disk full')).toEqual({ health: 'down', desc: 'disk full' })
    expect(parseAgentReply('hello world up')).toEqual({ health: 'up', error: 'hello', desc: '' })
  })
})

describe('weights and limits', () => {
  test('a percentage is of the configured weight, and may not exceed 256', () => {
    expect(agentWeight('75%', 100)).toBe(75)
    expect(agentWeight('50%', 3)).toBe(1)
    expect(agentWeight('0%', 10)).toBe(0)
    expect(agentWeight('300%', 100)).toBe('Relative weight too large.')
    expect(typeof agentWeight('5x%', 100)).toBe('string')
  })

  test('maxconn takes an integer', () => {
    expect(agentMaxconn('30')).toBe(30)
    expect(agentMaxconn('abc')).toBe('Integer value expected for maxconn.')
  })
})
