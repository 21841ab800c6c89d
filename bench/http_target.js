// The local targets of bench/http_bench.sh and bench/exporters_bench.sh: one Node.js process
// serving HTTP or HTTPS on one or more loopback ports.
//
//   node bench/http_target.js --ports 20001,20002 [--tls-cert C --tls-key K]
//        [--close] [--log FILE] [--otlp]
//
// Every GET answers 200 with a small JSON body. --close sends `Connection: close` (each
// request on a new TCP/TLS connection); otherwise connections are kept alive for 120 s.
// --log appends one line per request, "<unix ms with 3 decimals> <port><path>", written when
// the request arrives (the probe start times of the scale run). --otlp answers POSTs to
// /v1/metrics with 200 and an empty ExportMetricsServiceResponse (an OTLP collector that
// accepts everything). GET /__stats answers {"connections", "tls_new", "tls_resumed",
// "requests", "post_bytes_max"}: counted since start, the /__stats request's own connection
// included; post_bytes_max is the largest request body received (--otlp).
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { performance } = require('perf_hooks');

const args = { ports: '', tlsCert: '', tlsKey: '', close: false, log: '', otlp: false };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--ports') args.ports = process.argv[++i];
  else if (a === '--tls-cert') args.tlsCert = process.argv[++i];
  else if (a === '--tls-key') args.tlsKey = process.argv[++i];
  else if (a === '--close') args.close = true;
  else if (a === '--log') args.log = process.argv[++i];
  else if (a === '--otlp') args.otlp = true;
  else {
    console.error(`http_target.js: unknown argument ${a}`);
    process.exit(2);
  }
}
const ports = args.ports.split(',').filter(Boolean).map(Number);
if (ports.length === 0 || ports.some((p) => !(p > 0 && p < 65536))) {
  console.error('http_target.js: --ports PORT[,PORT...] is required');
  process.exit(2);
}

const stats = { connections: 0, tls_new: 0, tls_resumed: 0, requests: 0, post_bytes_max: 0 };
const log = args.log ? fs.createWriteStream(args.log, { flags: 'a' }) : null;
const body = JSON.stringify({ status: 'ok', object: 'list', data: [] });

function handle(port, req, res) {
  if (req.url === '/__stats') {
    const text = JSON.stringify(stats);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': text.length });
    res.end(text);
    return;
  }
  stats.requests++;
  if (log) log.write(`${(performance.timeOrigin + performance.now()).toFixed(3)} ${port}${req.url}\n`);
  const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
  if (args.close) headers.Connection = 'close';
  if (req.method === 'POST' && args.otlp) {
    // Drain the export request, answer an empty response in the request's own encoding.
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
    });
    req.on('end', () => {
      stats.post_bytes_max = Math.max(stats.post_bytes_max, size);
      const json = (req.headers['content-type'] || '').includes('json');
      const answer = json ? '{}' : '';
      res.writeHead(200, {
        'Content-Type': json ? 'application/json' : 'application/x-protobuf',
        'Content-Length': answer.length,
      });
      res.end(answer);
    });
    return;
  }
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
}

const tls = args.tlsCert
  ? { cert: fs.readFileSync(args.tlsCert), key: fs.readFileSync(args.tlsKey) }
  : null;
let listening = 0;
for (const port of ports) {
  const server = tls
    ? https.createServer(tls, (req, res) => handle(port, req, res))
    : http.createServer((req, res) => handle(port, req, res));
  server.on('connection', () => stats.connections++);
  if (tls) {
    server.on('secureConnection', (socket) => {
      if (socket.isSessionReused()) stats.tls_resumed++;
      else stats.tls_new++;
    });
  }
  server.keepAliveTimeout = 120000;
  server.headersTimeout = 130000;
  server.requestTimeout = 0;
  server.maxConnections = 100000;
  server.listen(port, '127.0.0.1', () => {
    if (++listening === ports.length) {
      console.log(`http_target: ${tls ? 'https' : 'http'} on ${ports.length} port(s), ` +
        `${args.close ? 'Connection: close' : 'keep-alive'}`);
    }
  });
  server.on('error', (err) => {
    console.error(`http_target.js: port ${port}: ${err.message}`);
    process.exit(1);
  });
}

function stop() {
  if (log) log.end(() => process.exit(0));
  else process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
