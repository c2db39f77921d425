/**
 * The backend client as both backend fuzzers drive it (test/unit/backend/clientFuzz.test.ts and
 * `npm run fuzz`, test/fuzz/runFuzz.ts): tight limits so a misbehaving local server trips them fast,
 * and the five API calls, taken in turn.
 */
import { PyroscopeClient } from '../../src/core/backend/pyroscopeClient';

const HOUR = { kind: 'last', ms: 3_600_000 } as const;

/** A fresh client (bearer `token`) against `url`; element i % 5 is the call of case i. */
export function fuzzClientCalls(url: string, token: string): (() => Promise<unknown>)[] {
  const client = new PyroscopeClient({
    connection: { name: 'fuzz', url, auth: 'bearer' },
    token,
    timeoutMs: 250,
    stallMs: 80,
    maxResponseBytes: 64 * 1024,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });
  return [
    () => client.labelNames([], HOUR),
    () => client.labelValues('env', [], HOUR),
    () => client.services(HOUR),
    () => client.profileTypes(HOUR),
    () => client.fetchProfile({ service: 'api', profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', window: HOUR }),
  ];
}
