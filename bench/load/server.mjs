// A static web server for the load benchmark: the "third-party" office website that embeds
// <ikm-survey>, the plain-form and Formbricks pages. It serves files the way `ikm serve`
// does (brotli when the browser accepts it, made once), so every contender is served alike.
//
// Usage: node bench/load/server.mjs PORT PREFIX=DIR [PREFIX=DIR …]   (e.g. /ikm/=dist)
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const [port, ...mounts] = process.argv.slice(2);
const roots = mounts.map((m) => {
  const [prefix, dir] = m.split('=');
  return { prefix, dir };
}).sort((a, b) => b.prefix.length - a.prefix.length);

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};
const compressed = new Map();

/** The brotli bytes of `file`: the `.br` beside it if the build made one, else made once here. */
function brotli(file) {
  if (existsSync(`${file}.br`)) return readFileSync(`${file}.br`);
  if (!compressed.has(file)) {
    compressed.set(file, brotliCompressSync(readFileSync(file), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  return compressed.get(file);
}

createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const root = roots.find((r) => path.startsWith(r.prefix));
  const file = root && normalize(join(root.dir, path.slice(root.prefix.length) || 'index.html'));
  if (!file || !file.startsWith(normalize(root.dir)) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
  const body = /\bbr\b/.test(req.headers['accept-encoding'] ?? '') && TYPES[extname(file)]
    ? (headers['Content-Encoding'] = 'br', brotli(file))
    : readFileSync(file);
  res.writeHead(200, headers).end(body);
}).listen(Number(port), '127.0.0.1', () => console.log(`bench server on ${port}`));
