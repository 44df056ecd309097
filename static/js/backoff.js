// One retry policy for every page: exponential backoff with full jitter on the upper half.
//
//   const delay = backoffDelay(attempt);            // attempt 1, 2, 3 … → ~1 s, 2 s, 4 s … ≤ 30 s
//   await sleep(delay);

export function backoffDelay(attempt, { minMs = 1000, maxMs = 30_000 } = {}) {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
