/** Runs fn over items with at most `limit` at a time; the results keep the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  // One iterator shared by the workers: each takes the next item when it is free.
  const next = items.entries();
  const worker = async () => {
    for (const [i, item] of next) out[i] = await fn(item, i);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
