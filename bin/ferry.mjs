#!/usr/bin/env node
// The `ferry` command. It runs the TypeScript sources through tsx, so the CLI never needs a build step and
// always matches the checkout; only the app's renderer (for `ferry web` / `ferry start`) is built by Vite.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/engine/host/cli.ts');
await runCli(process.argv.slice(2));
// A command is over once runCli returns: a client library still retrying in the background (kafkajs reconnects to
// an unreachable broker for a minute) must not keep the process, and a script waiting on it, alive.
process.exit(process.exitCode ?? 0);
