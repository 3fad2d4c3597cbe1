import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from '../../src/fhir/concurrency.js';

const deferred = () => {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('FHIR fallback concurrency limit', () => {
  it('never runs more than the limit at once, and runs the queued ones as slots free', async () => {
    const limit = createConcurrencyLimit(2);
    const gates = [deferred(), deferred(), deferred()];
    let peak = 0;
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limit.run(new AbortController().signal, async () => {
        started.push(i);
        peak = Math.max(peak, limit.active());
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limit.queued()).toBe(1);
    gates[0]?.resolve();
    expect(await runs[0]).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(peak).toBe(2);
    expect(limit.active()).toBe(0);
  });

  it('a call whose deadline passes while queued gives up without running, and frees nothing it never held', async () => {
    const limit = createConcurrencyLimit(1);
    const gate = deferred();
    const holder = limit.run(new AbortController().signal, () => gate.promise);
    const deadline = new AbortController();
    let ran = false;
    const waiting = limit.run(deadline.signal, () => {
      ran = true;
      return Promise.resolve();
    });
    deadline.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    expect(limit.queued()).toBe(0);
    gate.resolve();
    await holder;
    expect(ran).toBe(false);
    expect(limit.active()).toBe(0);
  });
});
