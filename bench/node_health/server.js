// The in-app health endpoint many Node.js services serve today, as the baseline the agent's
// /health is compared with in bench/core_bench.sh: on every GET /health it runs `SELECT 1` on a
// pg Pool, a Redis PING and an HTTPS GET to an "external API" (api_server.js stands in for it),
// all three at once, and answers JSON (200 when all passed, 503 otherwise).
//
// Environment: PORT (to listen on 127.0.0.1), DATABASE_URL, REDIS_URL, API_URL (https://...),
// API_CA (PEM file trusted for API_URL). One process, as in a container with one vCPU.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { Pool } = require('pg');
const { createClient } = require('redis');

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`server.js: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const port = Number(required('PORT'));
const apiUrl = new URL(required('API_URL'));
// Keep-alive, as Node's global agent does since v19: only the first calls pay a TLS handshake.
const apiAgent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(required('API_CA')) });
const pool = new Pool({ connectionString: required('DATABASE_URL'), max: 10 });
const redis = createClient({ url: required('REDIS_URL') });
redis.on('error', (err) => console.error(`redis: ${err.message}`));

function timed(name, work) {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return work().then(
    () => [name, { status: 'up', duration_ms: elapsed() }],
    (err) => [name, { status: 'down', duration_ms: elapsed(), error: err.message }],
  );
}

function checkApi() {
  return new Promise((resolve, reject) => {
    const request = https.get(apiUrl, { agent: apiAgent, timeout: 5000 }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200
          ? resolve()
          : reject(new Error(`status ${response.statusCode}`)),
      );
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function health() {
  const checks = await Promise.all([
    timed('database', () => pool.query('SELECT 1')),
    timed('redis', () => redis.ping()),
    timed('api', checkApi),
  ]);
  const details = Object.fromEntries(checks);
  const ok = checks.every(([, check]) => check.status === 'up');
  return { code: ok ? 200 : 503, body: { status: ok ? 'ok' : 'error', details } };
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/health') {
    res.writeHead(404).end();
    return;
  }
  health().then(({ code, body }) => {
    res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  });
});

async function main() {
  await redis.connect();
  server.listen(port, '127.0.0.1', () => console.log(`node health on 127.0.0.1:${port}`));
}

function stop() {
  server.close();
  Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

main().catch((err) => {
  console.error(`server.js: ${err.message}`);
  process.exit(1);
});
