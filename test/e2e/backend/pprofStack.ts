/**
 * Starts only the Go service with net/http/pprof endpoints under a bounded background load (for VS Code
 * suites that cannot import the harness: they run bundled inside the extension host). Prints one line
 * `READY {"pprofUrl": …}` once it listens, then runs until SIGTERM/SIGINT or until stdin closes (the
 * parent died), and stops the service.
 *
 *   tsx test/e2e/backend/pprofStack.ts [--duration 120000]
 */
import { startPprofService } from '../../pyroscope/harness';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const durationMs = Number(argv[argv.indexOf('--duration') + 1] || 120_000) || 120_000;
  const svc = await startPprofService({ durationMs });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await svc.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.stdin.on('end', () => void stop(0));
  process.stdin.on('error', () => void stop(0));
  process.stdin.resume();
  void svc.done.then(() => stop(0), () => stop(1));
  console.log(`READY ${JSON.stringify({ pprofUrl: svc.url })}`);
}

main().catch((e: unknown) => {
  console.error(`pprofStack failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
