/**
 * Processes a test starts run as a user's would: without tap's process-info
 * loader. tap's runner gives every test process `--import …@tapjs/processinfo…`
 * in NODE_OPTIONS and, through process-on-spawn, puts it into the
 * NODE_OPTIONS of every process a test spawns, so that coverage can follow
 * children. Coverage is off here (package.json), and the loader hook doubles
 * the CPU of a start of the built CLI (docs/ci.md, "tap's loader in the
 * children"): hundreds of CLI starts in the suite paid for nothing.
 *
 * tap loads this file into each test process (`node-arg` in package.json).
 * It adds a spawn listener after tap's own, which takes tap's loader out of
 * the child's NODE_OPTIONS again; every other option there stays. With
 * coverage on, it does nothing. Nothing imports this file: a test that did
 * would prove nothing about the other files (test/harness/plain-children.test.ts).
 */
import processOnSpawn from 'process-on-spawn';
import { withoutTapLoader } from './tap-loader-options.js';

/** tap's marker of coverage in a test process's environment ('0': off). */
const COVERAGE_ENV = '_TAPJS_PROCESSINFO_COVERAGE_';

if (process.env[COVERAGE_ENV] === '0') {
  processOnSpawn.addListener((spawn) => {
    const options = spawn.env.NODE_OPTIONS;
    if (options === undefined) return;
    const env: NodeJS.ProcessEnv = { ...spawn.env, NODE_OPTIONS: withoutTapLoader(options) };
    if (env.NODE_OPTIONS === '') delete env.NODE_OPTIONS;
    spawn.env = env;
  });
}
