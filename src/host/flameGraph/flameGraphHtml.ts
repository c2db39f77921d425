/**
 * The flame graph panel's HTML: an empty shell that loads the page script and stylesheet from the
 * extension's own folders. Strict CSP: nothing but our nonce'd script runs, styles only from the
 * extension, no remote content. The profile never appears here (it arrives after `ready`).
 */
export interface FlameGraphHtmlInput {
  /** `webview.cspSource` */
  cspSource: string;
  /** webview URIs (as strings) of dist/webview/flameGraph.js and media/flameGraph.css */
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

export function flameGraphHtml({ cspSource, scriptUri, styleUri, nonce }: FlameGraphHtmlInput): string {
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(styleUri)}">
<title>Flame Graph</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${attr(scriptUri)}"></script>
</body>
</html>`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** 32 random base64url characters from a CSPRNG (`crypto.getRandomValues`). */
export function makeNonce(random: (bytes: Uint8Array) => Uint8Array = (b) => globalThis.crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(24));
  let s = '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const b of bytes) s += alphabet[b & 63];
  return s.padEnd(24, 'A');
}
