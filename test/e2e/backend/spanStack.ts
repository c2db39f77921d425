/**
 * The real Pyroscope server with the span agent's data (for suites that cannot import the harness: the
 * VS Code suite runs bundled in the extension host). Prints `READY {"url", "spans"}` once the spans
 * are queryable, then runs until SIGTERM/SIGINT or stdin closes, and stops the server.
 *
 *   tsx test/e2e/backend/spanStack.ts
 */
import { writeSync } from 'node:fs';
import { startPyroscope } from '../../pyroscope/harness';
import { runSpanAgent } from './spanAgent';
import { untilParentStops } from './stackLifetime';

async function main(): Promise<void> {
  let server: Awaited<ReturnType<typeof startPyroscope>>;
  try {
    server = await startPyroscope();
  } catch (e) {
    writeSync(2, `spanStack: the server did not start: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  }
  const stop = untilParentStops(() => server.stop());
  try {
    const spans = await runSpanAgent(server.url);
    // synchronous writes: a pipe's buffered output would be lost on process.exit
    writeSync(1, `READY ${JSON.stringify({ url: server.url, spans })}\n`);
  } catch (e) {
    writeSync(2, `spanStack failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    await stop(1);
  }
}

void main();
