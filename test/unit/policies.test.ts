import { describe, expect, it } from 'vitest';
import { MemoryTier } from '../../src/memory.ts';
import type { Policy } from '../../src/policies.ts';

function tier(policy: Policy, maxItems: number) {
  const evicted: string[] = [];
  const memory = new MemoryTier<number>(maxItems, policy);
  memory.onRemoved = (entry, byPolicy) => byPolicy && evicted.push(entry.key);
  const put = (key: string) => memory.set(key, 0, undefined, Infinity);
  return { memory, evicted, put };
}

describe('eviction orders', () => {
  it('LFU breaks ties by least recent use and survives deletes of the rarest entries', () => {
    const { memory, evicted, put } = tier('LFU', 3);
    put('a');
    put('b');
    put('c');
    memory.get('a');
    memory.get('b');
    memory.delete('c');
    put('d');
    put('e');
    expect(evicted).toEqual(['d']);
    memory.get('e');
    memory.get('a');
    put('f');
    expect(evicted).toEqual(['d', 'b']);
  });

  it('LRU, FIFO and LFU each hold exactly maxItems under churn', () => {
    for (const policy of ['LRU', 'FIFO', 'LFU'] as const) {
      const { memory, evicted, put } = tier(policy, 50);
      for (let i = 0; i < 5000; i++) {
        put(`k${i % 173}`);
        memory.get(`k${(i * 7) % 173}`);
      }
      expect(memory.size).toBe(50);
      expect(evicted.length).toBeGreaterThan(1000);
    }
  });

  it('clear() empties the tier and a cleared LFU keeps working', () => {
    const { memory, evicted, put } = tier('LFU', 2);
    put('a');
    memory.get('a');
    memory.clear();
    expect(memory.size).toBe(0);
    put('b');
    put('c');
    put('d');
    expect(evicted).toEqual(['b']);
  });
});

describe('entries read back from storage', () => {
  it('FIFO places them by the time they were stored, LFU by their uses, LRU as used now', () => {
    const fifo = new MemoryTier<number>(3, 'FIFO');
    fifo.set('new', 0, undefined, Infinity);
    fifo.set('old', 0, undefined, Infinity, 'd', { storedAt: 1, expiresAt: Infinity, hits: 1, at: fifo.moment() });
    expect(fifo.entries().map((entry) => entry.key)).toEqual(['old', 'new']);
    const lfu = new MemoryTier<number>(3, 'LFU');
    lfu.set('once', 0, undefined, Infinity);
    lfu.set('often', 0, undefined, Infinity, 'd', { storedAt: 1, expiresAt: Infinity, hits: 5, at: lfu.moment() });
    lfu.set('twice', 0, undefined, Infinity, 'e', { storedAt: 1, expiresAt: Infinity, hits: 1, at: lfu.moment() });
    expect(lfu.entries().map((entry) => entry.key)).toEqual(['once', 'twice', 'often']);
    const lru = new MemoryTier<number>(3, 'LRU');
    const early = lru.moment();
    lru.set('a', 0, undefined, Infinity);
    lru.set('b', 0, undefined, Infinity, 'd', { storedAt: 1, expiresAt: Infinity, hits: 9, at: lru.moment() });
    lru.set('c', 0, undefined, Infinity, 'e', { storedAt: 1, expiresAt: Infinity, hits: 9, at: early });
    expect(lru.entries().map((entry) => entry.key)).toEqual(['c', 'a', 'b']);
  });

  it('an entry read back late is not kept when the policy would have evicted it since its call', () => {
    const lru = new MemoryTier<number>(1, 'LRU');
    const called = lru.moment();
    lru.set('computed', 0, undefined, Infinity);
    const { entry, evicted } = lru.set('late', 0, undefined, Infinity, 'd', { storedAt: 1, expiresAt: Infinity, hits: 1, at: called });
    expect([entry, evicted]).toEqual([undefined, []]);
    expect(lru.entries().map((kept) => kept.key)).toEqual(['computed']);
  });

  it('uses are reported in the order of each entry\'s last one, stamped before what is stored next', () => {
    const lru = new MemoryTier<number>(9, 'LRU', true);
    for (const key of ['a', 'b', 'c']) lru.set(key, 0, undefined, Infinity, key);
    lru.get('c');
    lru.get('a');
    lru.get('c');
    const { entry } = lru.set('d', 0, undefined, Infinity, 'd');
    const uses = lru.takeUses();
    expect(uses.map((use) => [use.diskKey, use.hits])).toEqual([['a', 1], ['c', 2]]);
    expect(uses[0]!.at).toBeLessThan(uses[1]!.at);
    expect(uses[1]!.at).toBeLessThan(entry!.storedAt);
    expect(lru.takeUses()).toEqual([]);
  });
});
