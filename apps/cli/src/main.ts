#!/usr/bin/env node
import { ApiError, UsageError, runCli } from './cli';

runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}).catch((error: unknown) => {
  process.stderr.write(`banterbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : error instanceof ApiError ? 1 : 1;
});
