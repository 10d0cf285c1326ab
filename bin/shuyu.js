#!/usr/bin/env node
// Entry point of the `shuyu` command: runs the compiled CLI (built by `npm install` through the prepare script).
import { guardBrokenPipe } from '../dist/cli/io.js';
import { main } from '../dist/cli/main.js';

guardBrokenPipe();
process.exitCode = await main(process.argv.slice(2));
