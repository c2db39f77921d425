/**
 * Starts the real stack for suites that cannot import the harness directly (the VS Code suite runs
 * bundled inside the extension host): the Pyroscope server and the Node agent (and optionally the Go
 * agent) pushing under load for --duration ms. Prints one line `READY {json}` once the services are
 * queryable, then runs until SIGTERM/SIGINT or until stdin closes (the parent died), and stops
 * everything it started.
 *
 * With --pprof also the Go service with net/http/pprof endpoints (its URL is in the READY line).
 *
 *   tsx test/e2e/backend/liveStack.ts [--duration 60000] [--go] [--pprof]
 */
import { startGoAgent, startNodeAgent, startPprofService, startPyroscope, type Agent } from '../../pyroscope/harness';
import { untilParentStops } from './stackLifetime';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const durationMs = Number(argv[argv.indexOf('--duration') + 1] || 60000) || 60000;
  const withGo = argv.includes('--go');
  const server = await startPyroscope();
  const agents: Agent[] = [];
  const stop = untilParentStops(async () => {
    await Promise.allSettled(agents.map((a) => a.stop()));
    await server.stop();
  });
  try {
    agents.push(await startNodeAgent({ serverUrl: server.url, durationMs }));
    if (withGo) agents.push(await startGoAgent({ serverUrl: server.url, durationMs }));
    const want = agents.map((a) => a.serviceName);
    let pprofUrl: string | undefined;
    if (argv.includes('--pprof')) {
      const svc = await startPprofService({ durationMs: durationMs + 60_000 });
      agents.push(svc);
      pprofUrl = svc.url;
    }
    const deadline = Date.now() + 90_000;
    for (;;) {
      const now = Date.now();
      const res = await fetch(`${server.url}/querier.v1.QuerierService/LabelValues`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'service_name', start: String(now - 3_600_000), end: String(now) }),
      }).catch(() => undefined);
      const names = res?.ok ? ((await res.json()) as { names?: string[] }).names ?? [] : [];
      if (want.every((w) => names.includes(w))) break;
      if (Date.now() > deadline) throw new Error(`services ${want.join(', ')} not visible after 90 s (have ${names.join(', ')})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`READY ${JSON.stringify({ url: server.url, version: server.version, services: want, pprofUrl })}`);
  } catch (e) {
    console.error(`liveStack failed: ${e instanceof Error ? e.stack : String(e)}`);
    await stop(1);
  }
}

void main();
