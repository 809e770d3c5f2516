/** Waits for `promise` to settle, or `ms` at most; never rejects. */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  const settled = promise.then(
    () => undefined,
    () => undefined,
  );
  return Promise.race([settled, bound]).finally(() => clearTimeout(timer));
}
