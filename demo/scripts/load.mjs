// A bounded load for the demo service: at most --rps requests per second, at most 2 in flight,
// a fixed mix (quotes: the slow path; reports: the allocation-heavy path; searches), stops after
// --duration seconds (default: until killed). `node demo/scripts/load.mjs --target http://127.0.0.1:8080`
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const target = opt('target', 'http://127.0.0.1:8080');
const rps = Math.min(Number(opt('rps', 10)), 50);
const duration = opt('duration') ? Number(opt('duration')) * 1000 : Infinity;
const maxInFlight = 2;

let n = 0;
const sku = (i) => `SKU-${String((i * 7919) % 5000 + 1).padStart(5, '0')}`;
function nextPath() {
  n++;
  const r = n % 10;
  if (r < 5) return `/quote?cart=${sku(n)}:1,${sku(n + 1)}:2,${sku(n + 2)}:1`;
  if (r < 7) return `/report?days=${20 + (n % 20)}`;
  return `/search?q=${['smart kettle', 'tent', 'wireless headphones', 'vintage lamp'][n % 4]}`;
}

const t0 = Date.now();
let inFlight = 0;
let done = 0;
let failed = 0;
const timer = setInterval(() => {
  if (Date.now() - t0 > duration) {
    clearInterval(timer);
    console.log(`[load] ${done} requests, ${failed} failed`);
    return;
  }
  if (inFlight >= maxInFlight) return;
  inFlight++;
  fetch(target + nextPath())
    .then((res) => res.arrayBuffer().then(() => (res.ok ? done++ : failed++)))
    .catch(() => failed++)
    .finally(() => inFlight--);
}, 1000 / rps);
process.on('SIGTERM', () => process.exit(0));
