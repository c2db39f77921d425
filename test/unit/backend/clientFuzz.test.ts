/**
 * Deterministic fuzz of the backend client against a local server that misbehaves in a different way
 * on every request (seeded PRNG): garbage and wrong-shaped JSON, random statuses, bit-flipped
 * protobuf/pprof, truncated bodies, resets, stalls, slow drips, oversized bodies, odd redirects.
 * Every call must settle, in bounded time, with data or a BackendError — never another exception.
 */
import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { BackendError, type BackendErrorCode } from '../../../src/core/backend/backendError';
import { ProtoWriter } from '../../../src/core/backend/protoWire';
import { startLocalServer, type LocalServer } from './localServer';
import { buildPprof } from './pprofBuilder';
import { fuzzClientCalls } from '../../support/fuzzClient';
import { prng } from '../../support/prng';

const SEED = 0x5eed1234;
const CASES = 250;


describe('backend fuzz: client vs a server that misbehaves differently every time', function () {
  this.timeout(120_000);
  let server: LocalServer;
  const rand = prng(SEED);
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const pprof = buildPprof([
    { frames: [['main', '/app/main.go', 1], ['slow', '/app/main.go', 9]], value: 7 },
    { frames: [['main', '/app/main.go', 1], ['other', '', 0]], value: 3 },
  ]);
  const good = new ProtoWriter().bytes(5, new ProtoWriter().bytes(1, pprof).finish()).finish();
  const randomJson = (depth = 0): unknown => {
    switch (int(depth > 2 ? 5 : 8)) {
      case 0: return null;
      case 1: return int(1000) - 500;
      case 2: return 'x'.repeat(int(20));
      case 3: return rand() < 0.5;
      case 4: return 1e308 * 10; // Infinity → null in JSON
      case 5: return Array.from({ length: int(4) }, () => randomJson(depth + 1));
      default: return Object.fromEntries(['names', 'profileTypes', 'labelsSet', 'labels', 'name', 'value', 'ID'].filter(() => rand() < 0.4).map((k) => [k, randomJson(depth + 1)]));
    }
  };
  const behaviours: ((res: http.ServerResponse) => void)[] = [
    (res) => { const b = Buffer.from(JSON.stringify(randomJson())); res.writeHead(200, { 'content-type': 'application/json' }); res.end(b); },
    (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(bytes(int(200))); },
    (res) => { res.writeHead(200, { 'content-type': 'application/proto' }); res.end(bytes(int(300))); },
    (res) => {
      const b = Buffer.from(good);
      for (let i = 0, n = 1 + int(6); i < n; i++) b[int(b.length)] ^= 1 << int(8);
      res.writeHead(200, { 'content-type': 'application/proto' });
      res.end(b);
    },
    (res) => { res.writeHead(200 + int(400), { 'content-type': rand() < 0.5 ? 'application/json' : 'text/plain' }); res.end(rand() < 0.5 ? JSON.stringify({ code: 'x'.repeat(int(5)), message: randomJson() }) : bytes(int(100))); },
    (res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' }); res.end('{"names":['); },
    (res) => { res.socket?.destroy(); },
    (res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }); res.write('{'); /* stall */ },
    (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => (res.writableEnded ? clearInterval(t) : res.write(' ')), 20); // slow drip
      res.on('close', () => clearInterval(t));
    },
    (res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) }); res.write('{'); },
    (res) => { res.writeHead([301, 302, 307, 308][int(4)], { location: ['/loop', 'http://[::1', 'ftp://x/', '//127.0.0.1:1/x', ''][int(5)] }); res.end(); },
    (res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>'); },
    (res) => { res.writeHead(200, { 'content-type': 'application/proto' }); res.end(Buffer.from(good)); },
  ];

  before(async () => {
    server = await startLocalServer((_req, res) => behaviours[int(behaviours.length)](res));
  });
  after(async () => {
    await server.close();
  });

  it(`${CASES} calls (seed ${SEED.toString(16)}): all settle with data or a BackendError, none hangs`, async () => {
    const outcomes = new Map<string, number>();
    let crashes = 0;
    let hangs = 0;
    for (let i = 0; i < CASES; i++) {
      const calls = fuzzClientCalls(server.url, 'fuzz-token');
      const call = calls[i % calls.length];
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), 5000)));
      const outcome = await Promise.race([
        call().then(() => 'ok', (e: unknown) => {
          if (e instanceof BackendError) return e.code as BackendErrorCode;
          crashes++;
          console.log(`      crash on case ${i}: ${e instanceof Error ? e.stack : String(e)}`);
          return 'crash';
        }),
        hang,
      ]);
      clearTimeout(timer);
      if (outcome === 'hang') hangs++;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log(`      outcomes: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    assert.equal(crashes, 0, 'non-BackendError failures');
    assert.equal(hangs, 0, 'calls that did not settle within 5 s');
    // the fuzz reached the interesting paths
    for (const code of ['ok', 'malformed', 'stalled', 'timeout', 'too-large', 'connection-reset']) assert.ok(outcomes.get(code), `no ${code} outcome`);
  });
});
