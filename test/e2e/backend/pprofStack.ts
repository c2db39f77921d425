/**
 * Starts only the Go service with net/http/pprof endpoints under a bounded background load (for VS Code
 * suites that cannot import the harness: they run bundled inside the extension host). Prints one line
 * `READY {"pprofUrl": …}` once it listens, then runs until SIGTERM/SIGINT or until stdin closes (the
 * parent died), and stops the service.
 *
 *   tsx test/e2e/backend/pprofStack.ts [--duration 120000]
 */
import { startPprofService } from '../../pyroscope/harness';
import { untilParentStops } from './stackLifetime';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const durationMs = Number(argv[argv.indexOf('--duration') + 1] || 120_000) || 120_000;
  const svc = await startPprofService({ durationMs });
  const stop = untilParentStops(() => svc.stop().catch(() => undefined));
  void svc.done.then(() => stop(0), () => stop(1));
  console.log(`READY ${JSON.stringify({ pprofUrl: svc.url })}`);
}

main().catch((e: unknown) => {
  console.error(`pprofStack failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
