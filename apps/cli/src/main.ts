#!/usr/bin/env node
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, UsageError, runCli } from './cli';

runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  sleep,
}).catch((error: unknown) => {
  process.stderr.write(`banterbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : error instanceof ApiError ? 1 : 1;
});
