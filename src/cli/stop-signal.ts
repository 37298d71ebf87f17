/** Resolves with the signal's name at the first SIGTERM or SIGINT (`mxops start`, `mxops worker`). */
export function nextStopSignal(): Promise<string> {
  return new Promise<string>((resolve) => {
    const stop = (name: string): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(name);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
