import { describe, expect, it } from 'vitest';
import { Tier } from '../../src/tier.ts';
import type { Policy } from '../../src/policies.ts';

function tier(policy: Policy, maxItems: number) {
  const evicted: string[] = [];
  const memory = new Tier<number>(maxItems, policy);
  memory.onEvict = (entry) => evicted.push(entry.key!);
  const put = (key: string) => memory.set(key, { value: 0, storedAt: Date.now(), expiresAt: Infinity }, undefined, Date.now());
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
