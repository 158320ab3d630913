/**
 * Build once on first use, for what a Lambda container should make once (clients, config, keyrings)
 * but never at import time. A failed build is retried on the next call instead of being cached, so
 * one bad cold start does not poison the container.
 */
export function lazy<T>(build: () => T | Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        value = undefined;
        throw error;
      });
    return value;
  };
}
