/**
 * Resolves on SIGINT or SIGTERM (or when `alsoOn` calls its callback), so a
 * long-running command can close its ports and files before it exits
 * instead of being killed mid-write.
 */
export function untilSignal(alsoOn?: (stop: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    // A signal handler does not keep Node running: without this a lab with nothing listening ended with exit 13.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const stop = (): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    alsoOn?.(stop);
  });
}
