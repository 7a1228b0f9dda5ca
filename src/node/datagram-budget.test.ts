import { describe, expect, it } from 'vitest';
import { DatagramBudget } from './datagram-budget.js';

function admitted(budget: DatagramBudget, source: string, count: number, at: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) if (budget.admit(source, at)) n += 1;
  return n;
}

describe('DatagramBudget', () => {
  const options = {
    perSourcePerSecond: 100,
    perSourceBurst: 10,
    totalPerSecond: 1000,
    totalBurst: 25,
    maxSources: 3,
  };

  it('admits a burst per source, then the sustained rate only', () => {
    const b = new DatagramBudget(options);
    expect(admitted(b, 'x', 50, 0)).toBe(10);
    expect(admitted(b, 'x', 50, 100)).toBe(10); // 100 ms at 100/s refills 10
    expect(admitted(b, 'x', 50, 110)).toBe(1);
  });

  it('limits one source without touching another', () => {
    const b = new DatagramBudget(options);
    expect(admitted(b, 'flood', 1000, 0)).toBe(10);
    expect(admitted(b, 'peer', 5, 0)).toBe(5);
  });

  it('caps all sources together', () => {
    const b = new DatagramBudget(options);
    const total = ['a', 'b', 'c', 'd', 'e'].reduce((n, s) => n + admitted(b, s, 10, 0), 0);
    expect(total).toBe(25);
  });

  it('remembers a bounded number of sources, forgetting the least recently seen', () => {
    const b = new DatagramBudget(options);
    for (const s of ['a', 'b', 'c', 'd']) b.admit(s, 0);
    expect(b.sources).toBe(3);
  });
});
