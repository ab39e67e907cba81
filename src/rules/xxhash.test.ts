// xxHash against the reference implementation (libxxhash 0.8's XXH32, XXH64 and
// XXH3_64bits_withSeed): every length class the algorithms treat apart (XXH3: 0, 1-3, 4-8, 9-16,
// 17-128, 129-240, then one block of 1024 bytes, more than one), unseeded and seeded.
import { describe, expect, test } from 'bun:test'
import { xxh3, xxh32, xxh64 } from './xxhash.ts'

/** The test input: byte k is ((131k + 7) xor (k >> 3)) mod 256. */
const INPUT = Uint8Array.from({ length: 2500 }, (_, k) => ((k * 131 + 7) ^ (k >> 3)) & 255)
const SEED = 0x9e3779b185ebca8dn

// [length, XXH32, XXH32 seeded (low 32 bits of SEED), XXH64, XXH64 seeded, XXH3, XXH3 seeded]
const VECTORS: [number, number, number, bigint, bigint, bigint, bigint][] = [
  [0, 0x02cc5d05, 0x058efd0e, 0xef46db3751d8e999n, 0x0b303d920ec349dfn, 0x2d06800538d394c2n, 0xa8a6b918b2f0364an],
  [1, 0x002e0d32, 0x9415e871, 0xa96c7f0ce858bbb7n, 0x76349a430e97f416n, 0x4c5cca45d0f4811fn, 0xfb9ffac0328029fcn],
  [3, 0x7d92e8db, 0x1803c764, 0xbed43740ee6332bbn, 0x5bde7cc0c6b9fda0n, 0x6e3e2670e61106acn, 0xea2313880f3cdaean],
  [4, 0xf189ec97, 0xc939e003, 0xfa212ae44b3bb23dn, 0xbeaa34e32eee8b3dn, 0x5c4c63133443d03fn, 0x9ed5758ad388108en],
  [8, 0xc78aa5cd, 0xa9b397eb, 0x994b676b71ce94ddn, 0xa2f8d42e3c57a4ffn, 0xf9fd4dd0b04d78f5n, 0xcda4b01376fb6feen],
  [9, 0x236cb74c, 0x9d010d75, 0xcfec6cb22510745an, 0x5fccfb60238c1844n, 0xd366b661d7117290n, 0xfe85fb3bd750fe41n],
  [16, 0x20d3d91e, 0x43ff4e53, 0xa8884441f90dfd9an, 0xed2e4ddf153e5245n, 0x56b3a067e7b10ce6n, 0xb038e54c6a4c9fedn],
  [17, 0xcbb7d465, 0x177451cf, 0x79e672187287df64n, 0xf231ff960ea3fe33n, 0x588b39e11135884fn, 0x72ffbcf7465da422n],
  [32, 0xc7b91d35, 0x8af02814, 0xaa0bd4b60f1fda14n, 0x62f435b38039d6c1n, 0x540650e86df9cd98n, 0xddc22074fc5cabc3n],
  [33, 0xbb8fc99d, 0x54115519, 0x617624ac112be148n, 0x44c735dfe90de797n, 0xf6ac09fadbb82efen, 0x48c6d825ae4e4d80n],
  [128, 0x4749111d, 0x7d8de9e7, 0xbc80a34717257b7an, 0xc6e74f4082b8f392n, 0x9667723002e5081bn, 0x4bf61e5e0933b22fn],
  [129, 0x8195f3bc, 0x4051cba9, 0x599e39e0f4369827n, 0x7bb717d3f4c57efan, 0x2e6e2ec2125d828dn, 0x526823e000c616a1n],
  [240, 0xcf8b2312, 0xa6a639b7, 0x990b57ea34102163n, 0xfac09909f7a782b5n, 0x96220c5de8b65169n, 0x8ac894f7b89801e5n],
  [241, 0x54979f0b, 0x8ff3034c, 0xed0d6bfd804b03acn, 0xa3bde3c34325c093n, 0x74c78117e21dc518n, 0x0f6f658352defafcn],
  [1024, 0xe32e3944, 0xaff30798, 0x47e4965a3780556en, 0xa7933a9726f9b695n, 0x593b79c5f7e7abcbn, 0xb4efcf7f756ee832n],
  [1025, 0xdd0d66bc, 0x4ac25e3c, 0x020bae93ea5fa9b3n, 0x5b1e85000f0c6477n, 0x1b40bb3e101aead4n, 0x32d2c2917633792an],
  [2500, 0x30202213, 0x1a436808, 0xa96a49480503da7cn, 0x2f3ab7edb97c3f3dn, 0xb78378b7a331828en, 0x41f567dc5e5ee0bcn],
]

describe('xxHash', () => {
  for (const [len, h32, h32s, h64, h64s, h3, h3s] of VECTORS) {
    test(`${len} bytes`, () => {
      const b = INPUT.subarray(0, len)
      expect([xxh32(b), xxh32(b, Number(SEED & 0xffffffffn))]).toEqual([h32, h32s])
      expect([xxh64(b), xxh64(b, SEED)]).toEqual([h64, h64s])
      expect([xxh3(b), xxh3(b, SEED)]).toEqual([h3, h3s])
    })
  }
  test('seeds are taken modulo their width', () => {
    const b = INPUT.subarray(0, 300)
    expect(xxh64(b, -1n)).toBe(xxh64(b, (1n << 64n) - 1n))
    expect(xxh3(b, -1n)).toBe(xxh3(b, (1n << 64n) - 1n))
    expect(xxh32(b, -1)).toBe(xxh32(b, 0xffffffff))
  })
})
