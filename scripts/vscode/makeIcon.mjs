// Draws media/icon.png (128×128 RGBA): a flame graph seen through a lens. Plain Node (zlib), no image
// library. `node scripts/vscode/makeIcon.mjs`
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const N = 128;
const px = new Uint8Array(N * N * 4);
const blend = (x, y, [r, g, b], a = 1) => {
  if (x < 0 || y < 0 || x >= N || y >= N || a <= 0) return;
  const i = (y * N + x) * 4;
  const sa = px[i + 3] / 255;
  const oa = a + sa * (1 - a);
  for (const [k, c] of [[0, r], [1, g], [2, b]]) px[i + k] = Math.round((c * a + px[i + k] * sa * (1 - a)) / (oa || 1));
  px[i + 3] = Math.round(oa * 255);
};
// coverage of a pixel by a shape given a signed distance (px), for anti-aliased edges
const cover = (d) => Math.max(0, Math.min(1, 0.5 - d));

// 1. rounded square background
const R = 24;
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  const qx = Math.max(Math.abs(x + 0.5 - 64) - (64 - R), 0);
  const qy = Math.max(Math.abs(y + 0.5 - 64) - (64 - R), 0);
  const d = Math.hypot(qx, qy) - R;
  const t = y / N;
  blend(x, y, [Math.round(30 + 10 * t), Math.round(34 + 8 * t), Math.round(52 + 14 * t)], cover(d));
}
// 2. flame graph: rows of bars (root at the bottom), warm colours
const rows = [
  [[14, 114]],
  [[14, 80], [82, 114]],
  [[14, 58], [60, 80], [82, 100]],
  [[16, 44], [60, 74], [82, 92]],
  [[18, 36], [62, 70]],
  [[20, 30]],
];
const colours = [[230, 84, 62], [238, 118, 58], [244, 152, 60], [248, 186, 72], [250, 210, 96], [252, 230, 130]];
const barH = 11;
rows.forEach((bars, r) => {
  const y0 = 104 - (r + 1) * (barH + 2);
  for (const [x0, x1] of bars) for (let y = y0; y < y0 + barH; y++) for (let x = x0; x < x1; x++) {
    const edge = Math.min(x - x0, x1 - 1 - x, y - y0, y0 + barH - 1 - y);
    blend(x, y, colours[r], edge === 0 ? 0.85 : 1);
  }
});
// 3. the lens: a ring with a handle, lower right, over the graph
const cx = 84, cy = 50, ro = 22, ri = 17;
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
  if (d < ri) blend(x, y, [255, 255, 255], 0.18 * cover(d - ri));
  const ring = Math.max(d - ro, ri - d);
  blend(x, y, [236, 240, 250], cover(ring));
  // handle: a thick segment from the ring towards the lower right
  const hx0 = cx + ro * 0.7, hy0 = cy + ro * 0.7, hx1 = 112, hy1 = 78;
  const vx = hx1 - hx0, vy = hy1 - hy0;
  const t = Math.max(0, Math.min(1, ((x + 0.5 - hx0) * vx + (y + 0.5 - hy0) * vy) / (vx * vx + vy * vy)));
  const dh = Math.hypot(x + 0.5 - (hx0 + t * vx), y + 0.5 - (hy0 + t * vy)) - 4.5;
  blend(x, y, [236, 240, 250], cover(dh));
}

// PNG encoding: signature, IHDR, IDAT (filter 0 per row), IEND
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) Buffer.from(px.buffer, y * N * 4, N * 4).copy(raw, y * (N * 4 + 1) + 1);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../media/icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
