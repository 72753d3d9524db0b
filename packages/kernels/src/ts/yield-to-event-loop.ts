/**
 * Resolves on the next turn of the event loop (after pending I/O callbacks), so an `*Async` kernel of the
 * TS backend lets other work run before it takes the thread for its (synchronous) computation.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
