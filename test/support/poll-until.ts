/**
 * Wait, in real time, until `cond()` holds: it is asked again every
 * `everyMs`; after `timeoutMs` this throws, naming `what`. For state that
 * gives no event to wait on (a mock port's recording, a socket buffer);
 * where there is one, wait on the event (EndpointProbe, LineChild.expect).
 * `cond` may ask asynchronously (an HTTP API, a database).
 */
export async function pollUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
