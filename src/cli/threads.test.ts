import { expect, test } from 'bun:test'
import { threadCpus } from './threads.ts'

test('cpu-map: auto maps the n-th thread to the n-th CPU; a plain line binds each thread to the whole set; later lines win', () => {
  expect([...threadCpus([{ threads: [1, 2, 3, 4], cpus: [4, 5, 6, 7], auto: true }], 4).cpus]).toEqual([[0, [4]], [1, [5]], [2, [6]], [3, [7]]])
  expect([...threadCpus([{ threads: 'all', cpus: [0, 1], auto: false }], 2).cpus]).toEqual([[0, [0, 1]], [1, [0, 1]]])
  expect([...threadCpus([{ threads: 'odd', cpus: [0], auto: true }, { threads: [3], cpus: [2], auto: false }], 4).cpus]).toEqual([[0, [0]], [2, [2]]])
  expect(threadCpus([{ threads: [1, 2, 3], cpus: [0], auto: false }], 2).warnings).toEqual([`'cpu-map' names thread 3, beyond the 2 this process runs`])
})
