/**
 * Resolves on SIGINT or SIGTERM (or when `alsoOn` calls its callback), so a
 * long-running command can close its ports and files before it exits
 * instead of being killed mid-write.
 */
export function untilSignal(alsoOn?: (stop: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    alsoOn?.(stop);
  });
}
