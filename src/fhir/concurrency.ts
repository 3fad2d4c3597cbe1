/**
 * Bounds how many FHIR-server requests the service has open at once, across all calls: a slow EHR FHIR server then
 * costs waiting calls their own deadline, not the service its sockets and memory. Waiting is abortable: a call whose
 * deadline passes while queued gives up without ever sending its request.
 */
export interface ConcurrencyLimit {
  run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T>;
  readonly active: () => number;
  readonly queued: () => number;
}

export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  let active = 0;
  const waiting: { resolve: () => void; reject: (error: Error) => void; signal: AbortSignal }[] = [];

  const release = (): void => {
    active -= 1;
    while (waiting.length > 0) {
      const next = waiting.shift();
      if (next && !next.signal.aborted) {
        active += 1;
        next.resolve();
        return;
      }
    }
  };

  return {
    async run(signal, task) {
      if (signal.aborted) {
        throw signal.reason instanceof Error ? signal.reason : new Error('aborted before start');
      }
      if (active < max) {
        active += 1;
      } else {
        await new Promise<void>((resolve, reject) => {
          const entry = { resolve, reject, signal };
          waiting.push(entry);
          signal.addEventListener(
            'abort',
            () => {
              const index = waiting.indexOf(entry);
              if (index >= 0) {
                waiting.splice(index, 1);
                reject(signal.reason instanceof Error ? signal.reason : new Error('aborted while waiting'));
              }
            },
            { once: true },
          );
        });
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    active: () => active,
    queued: () => waiting.length,
  };
}
