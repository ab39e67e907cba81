/**
 * A radix tree (compressed trie) of strings, for longest-prefix lookups: `map_beg`, `-m beg`, and
 * with `reverse` the longest suffix (`map_end`, `-m end`). HAProxy indexes these in an ebtree;
 * this is the same idea for JS strings: one node per branching point, edge labels as substrings.
 *
 *   root ─"/api"─▶ n1 (value) ─"/v1"─▶ n2 (value)
 *                   └──"s"──▶ n3 (value)            keys: /api, /api/v1, /apis
 *
 * Lookups walk at most one edge per branching point and compare edge labels in place, so they
 * allocate nothing. Insertion and deletion keep the tree compressed (split and merge nodes), for
 * edits at run time.
 */

class Node<V> {
  /** Characters on the edge from the parent, in walking order (reversed keys for `reverse`). */
  label: string
  children: Map<number, Node<V>> | null = null
  has = false
  value: V | undefined = undefined
  constructor(label: string) {
    this.label = label
  }
}

export class RadixTree<V> {
  readonly reverse: boolean
  #root = new Node<V>('')
  #size = 0

  constructor(options: { reverse?: boolean } = {}) {
    this.reverse = options.reverse ?? false
  }

  get size(): number {
    return this.#size
  }

  clear(): void {
    this.#root = new Node<V>('')
    this.#size = 0
  }

  #walkKey(key: string): string {
    return this.reverse ? reversed(key) : key
  }

  /** Sets the value of `key`; returns false if it was already there (and keeps the old value
   *  unless `replace`). */
  set(key: string, value: V, replace = true): boolean {
    const k = this.#walkKey(key)
    let node = this.#root
    let i = 0
    for (;;) {
      if (i === k.length) {
        if (node.has) {
          if (replace) node.value = value
          return false
        }
        node.has = true
        node.value = value
        this.#size++
        return true
      }
      const c = k.charCodeAt(i)
      const child = node.children?.get(c)
      if (child === undefined) {
        const leaf = new Node<V>(k.slice(i))
        leaf.has = true
        leaf.value = value
        ;(node.children ??= new Map()).set(c, leaf)
        this.#size++
        return true
      }
      const label = child.label
      let j = 1
      while (j < label.length && i + j < k.length && label.charCodeAt(j) === k.charCodeAt(i + j)) j++
      if (j < label.length) {
        const mid = new Node<V>(label.slice(0, j))
        child.label = label.slice(j)
        mid.children = new Map([[child.label.charCodeAt(0), child]])
        node.children!.set(c, mid)
        node = mid
      } else node = child
      i += j
    }
  }

  /** The node that ends exactly at `key`, pushing the nodes walked through onto `path`. */
  #find(key: string, path?: Node<V>[]): Node<V> | undefined {
    const k = this.#walkKey(key)
    let node = this.#root
    let i = 0
    while (i < k.length) {
      path?.push(node)
      const child = node.children?.get(k.charCodeAt(i))
      if (child === undefined || !k.startsWith(child.label, i)) return undefined
      i += child.label.length
      node = child
    }
    return node
  }

  get(key: string): V | undefined {
    const node = this.#find(key)
    return node?.has ? node.value : undefined
  }

  delete(key: string): boolean {
    const path: Node<V>[] = []
    const node = this.#find(key, path)
    if (!node?.has) return false
    path.push(node)
    node.has = false
    node.value = undefined
    this.#size--
    // Remove a leaf that holds nothing, then merge a pass-through node into its only child.
    for (let d = path.length - 1; d > 0; d--) {
      const n = path[d]!
      const parent = path[d - 1]!
      if (!n.has && (n.children === null || n.children.size === 0)) {
        parent.children!.delete(n.label.charCodeAt(0))
        continue
      }
      if (!n.has && n.children!.size === 1) {
        const only = n.children!.values().next().value!
        only.label = n.label + only.label
        parent.children!.set(n.label.charCodeAt(0), only)
      }
      break
    }
    return true
  }

  /** The value of the longest key that starts `s` (ends it, for a reverse tree). */
  longest(s: string): V | undefined {
    let node = this.#root
    let best: V | undefined = node.has ? node.value : undefined
    let i = 0
    const n = s.length
    if (!this.reverse) {
      while (i < n) {
        const child = node.children?.get(s.charCodeAt(i))
        if (child === undefined || !s.startsWith(child.label, i)) break
        i += child.label.length
        node = child
        if (node.has) best = node.value
      }
      return best
    }
    while (i < n) {
      const child = node.children?.get(s.charCodeAt(n - 1 - i))
      if (child === undefined) break
      const label = child.label
      if (label.length > n - i) break
      let j = 1
      while (j < label.length && label.charCodeAt(j) === s.charCodeAt(n - 1 - i - j)) j++
      if (j < label.length) break
      i += label.length
      node = child
      if (node.has) best = node.value
    }
    return best
  }

  /** Every key and value, in no particular order. */
  *entries(): Generator<[string, V]> {
    const stack: [Node<V>, string][] = [[this.#root, '']]
    while (stack.length > 0) {
      const [node, prefix] = stack.pop()!
      const k = prefix + node.label
      if (node.has) yield [this.#walkKey(k), node.value as V]
      if (node.children) for (const c of node.children.values()) stack.push([c, k])
    }
  }
}

/** `s` reversed by UTF-16 units, the order `longest` walks a reverse tree in. */
function reversed(s: string): string {
  let out = ''
  for (let i = s.length - 1; i >= 0; i--) out += s[i]
  return out
}
