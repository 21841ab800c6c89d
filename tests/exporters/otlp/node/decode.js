// Decodes an OTLP ExportMetricsServiceRequest with the OpenTelemetry project's own generated
// protobuf root (@opentelemetry/otlp-transformer 0.217) and prints it as canonical JSON
// (64-bit integers as strings, enums as numbers) for the C++ test to compare.
//
//   node decode.js proto|json FILE
// For json, the body is first checked against the OTLP JSON mapping rules the root cannot see
// (enums as integers, 64-bit integers as strings), then read with fromObject.
'use strict';
const fs = require('fs');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');

const Request = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
const [mode, file] = process.argv.slice(2);
const body = fs.readFileSync(file);
const problems = [];

function checkJson(node, path) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkJson(v, `${path}[${i}]`));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    const here = `${path}.${key}`;
    if (/UnixNano$|^count$/.test(key) && typeof value !== 'string') {
      problems.push(`${here}: a 64-bit integer must be a decimal string`);
    }
    if (key === 'bucketCounts' && !value.every((v) => typeof v === 'string')) {
      problems.push(`${here}: 64-bit integers must be decimal strings`);
    }
    if (key === 'aggregationTemporality' && typeof value !== 'number') {
      problems.push(`${here}: an enum must be an integer`);
    }
    if (key.includes('_')) problems.push(`${here}: keys are lowerCamelCase`);
    checkJson(value, here);
  }
}

let message;
if (mode === 'proto') {
  message = Request.decode(body);
} else {
  const json = JSON.parse(body.toString('utf8'));
  checkJson(json, '');
  message = Request.fromObject(json);
}
const object = Request.toObject(message, { longs: String, enums: Number, bytes: String });
process.stdout.write(JSON.stringify({ problems, request: object }));
