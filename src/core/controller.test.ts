import { describe, expect, it } from 'vitest';
import { createDispatch } from './assigner/index.js';
import { Controller, type ControllerEffect } from './controller.js';

function node(id: string, dispatchName: string | undefined): Controller {
  return new Controller({
    id,
    elevator: { floors: 4, doorOpenMs: 3000, motorTimeoutMs: 4000, obstructionTimeoutMs: 5000 },
    peerTimeoutMs: 800,
    aloneHallCalls: 'accept',
    ...createDispatch(dispatchName ?? 'reference'),
    dispatchName,
    epoch: 1,
  });
}

const mismatches = (effects: ControllerEffect[]) =>
  effects.filter((e) => e.type === 'log' && e.event === 'dispatchMismatch');

describe('Controller: dispatch strategy announcement', () => {
  it('announces its strategy in its view', () => {
    expect(node('a', 'mesh+park').message().dispatch).toBe('mesh+park');
    expect(node('a', undefined).message().dispatch).toBeUndefined();
  });

  it('logs a peer that runs another strategy once, and again only when it changes', () => {
    const a = node('a', 'mesh+park');
    const heard = (from: Controller, now: number) =>
      a.handle({ type: 'peerMessage', from: 'b', body: from.message(), now });
    expect(mismatches(heard(node('b', 'reference'), 1))).toEqual([
      { type: 'log', event: 'dispatchMismatch', peer: 'b', theirs: 'reference', ours: 'mesh+park' },
    ]);
    expect(mismatches(heard(node('b', 'reference'), 2))).toEqual([]);
    expect(mismatches(heard(node('b', 'mesh'), 3))).toHaveLength(1);
    // Agreeing again, then differing again: logged again.
    expect(mismatches(heard(node('b', 'mesh+park'), 4))).toEqual([]);
    expect(mismatches(heard(node('b', 'mesh'), 5))).toHaveLength(1);
    // A peer that announces nothing (an older node) is not flagged.
    expect(mismatches(heard(node('b', undefined), 6))).toEqual([]);
  });
});
