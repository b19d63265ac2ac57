#!/usr/bin/env node
// Health probe for the native MongoDB-protocol server: exit 0 when `ping` answers ok.
import { MongoClient } from 'mongodb';

const url = process.argv[2] ?? 'mongodb://127.0.0.1:27017';
const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
try {
  await client.connect();
  const r = await client.db('admin').command({ ping: 1 });
  process.exitCode = r['ok'] === 1 ? 0 : 1;
} catch {
  process.exitCode = 1;
} finally {
  await client.close().catch(() => undefined);
}
