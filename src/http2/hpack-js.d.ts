/** The parts of hpack.js (no types of its own) that hpack.ts uses. */
declare module 'hpack.js' {
  interface Entry { name: string; value: string; nameSize: number; totalSize: number }
  interface Table {
    readonly maxSize: number
    readonly protocolMaxSize: number
    readonly size: number
    readonly length: number
    lookup(index: number): Entry
    reverseLookup(name: string, value: string): number
    add(name: string, value: string, nameSize: number, valueSize: number): void
    updateSize(size: number): void
  }
  interface Decoder {
    push(chunk: Buffer): void
    isEmpty(): boolean
    decodeBit(): number
    decodeInt(): number
    decodeStr(): number[] | Buffer
  }
  interface Encoder {
    encodeBit(bit: number): void
    encodeBits(bits: number, len: number): void
    encodeInt(n: number): void
    encodeStr(value: number[], huffman: boolean): void
    render(): Buffer[]
  }
  const hpack: {
    table: { create(o: { maxSize: number }): Table }
    decoder: { create(): Decoder }
    encoder: { create(): Encoder }
    utils: { stringify(a: number[] | Buffer): string; toArray(s: string): number[] }
  }
  export default hpack
}
