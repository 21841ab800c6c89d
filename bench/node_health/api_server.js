// A local HTTPS server standing in for the external API that server.js calls on every /health
// (what a real app does with Stripe, GitHub or an AI provider): answers any GET with a small JSON
// body and keeps connections alive.
//
// Environment: PORT (to listen on 127.0.0.1), TLS_CERT and TLS_KEY (PEM files).
'use strict';

const fs = require('fs');
const https = require('https');

for (const name of ['PORT', 'TLS_CERT', 'TLS_KEY']) {
  if (!process.env[name]) {
    console.error(`api_server.js: ${name} is not set`);
    process.exit(2);
  }
}

const body = JSON.stringify({ status: 'ok', object: 'model', id: 'bench-stand-in' });
const server = https.createServer(
  { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) },
  (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  },
);
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(`api stand-in on https://127.0.0.1:${process.env.PORT}`),
);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
