/**
 * The lifetime of a stack process the VS Code suites start (liveStack.ts, pprofStack.ts): `release`
 * runs once when the parent asks it to stop (SIGTERM/SIGINT) or is gone (its stdin closes), then the
 * process exits. Returns that stop, for the stack's own failures (`stop(1)`) or end (`stop(0)`).
 */
export function untilParentStops(release: () => Promise<unknown>): (code: number) => Promise<void> {
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await release();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.stdin.on('end', () => void stop(0));
  process.stdin.on('error', () => void stop(0));
  process.stdin.resume();
  return stop;
}
