// `npm run create -- <dir> [options]` from a clone of this repository: npm runs scripts in the repository root
// and says in INIT_CWD where the command was typed, so the CLI runs there, as `npx create-byok` would.
process.chdir(process.env.INIT_CWD ?? process.cwd());
await import('../bin/create-byok.js');
