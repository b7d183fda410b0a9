/**
 * Runs tasks one after another: for work queued ahead on one database connection, which must not
 * have two queries in flight (node-pg queues them today with a deprecation warning, and its next
 * major version refuses). Each task starts when the previous one has settled, whatever its outcome.
 */
export type SerialQueue = <T>(task: () => Promise<T>) => Promise<T>;

export function serialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
