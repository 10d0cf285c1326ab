// Runs the CLI from the TypeScript sources (tests spawn it with `node --import tsx cli/entry.ts ...`);
// the installed command is bin/shuyu.js, which runs the compiled cli/main.js the same way.
import { guardBrokenPipe } from './io.js';
import { main } from './main.js';

guardBrokenPipe();
process.exitCode = await main(process.argv.slice(2));
