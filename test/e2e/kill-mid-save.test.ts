import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import t from 'tap';
import { LineChild } from '../support/line-child.js';
import { cliCommand, firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * SIGKILL while a client keeps the PBX saving (every `set` rewrites
 * pbx.json and appends to the FMC log): the restarted PBX finds valid state
 * holding at least every acknowledged change. A pbx.json damaged by hand
 * stops the lab with a clear message and a non-zero exit instead.
 */
t.test('SIGKILL during a burst of set commands leaves valid state', async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const lab = await startLab(t, files);
  const c = await lab.connect();
  t.teardown(() => c.close());
  await firstLoginOverTcp(c, 'tech', 'techpw1');

  // Pipelined: many commands in flight, so the kill lands inside a save.
  const BURST = 400;
  c.write(Array.from({ length: BURST }, (_, i) => `set station.104.name n${i}\r`).join(''));
  let acked = -1;
  for (let i = 0; i < BURST; i++) {
    const r = await c.reply();
    if (!r.ok) break;
    acked = i;
    if (i === 40) break;
  }
  lab.child.proc.kill('SIGKILL');
  await lab.child.exited;
  t.ok(acked >= 40, `changes were acknowledged before the kill (${acked + 1})`);

  const text = readFileSync(files.statePath, 'utf8');
  let state: { kds: Record<string, string> } = { kds: {} };
  t.doesNotThrow(() => (state = JSON.parse(text) as typeof state), 'pbx.json is valid JSON after the kill');
  const stored = Number(/^n(\d+)$/.exec(state.kds['station.104.name'])?.[1] ?? -1);
  t.ok(stored >= acked, `the stored name n${stored} is no older than the last acknowledged n${acked}`);

  const again = await startLab(t, files);
  t.notOk(readdirSync(dirname(files.statePath)).some((f) => f.includes('.tmp-')), 'left-over temp files are removed at start');
  const c2 = await again.connect();
  t.teardown(() => c2.close());
  await c2.login('tech', 'techpw1');
  t.same((await c2.run('get station.104.name')).lines, [`station.104.name = "n${stored}"`], 'the restarted PBX serves the stored name');
  const log = (await c2.run('log show')).lines;
  t.equal(log.filter((l) => /A2-3-/.test(l)).length, 2, 'the FMC log mounted after the kill and logged the restart');
  t.ok(log.filter((l) => /STN-NAME 104 /.test(l)).length >= acked + 1, 'every acknowledged change is in the log');
  t.equal(await again.stop(), 0, 'the restarted lab stops cleanly');
});

t.test('a pbx.json damaged by hand: clear error, non-zero exit', async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const lab = await startLab(t, files);
  t.equal(await lab.stop(), 0, 'the first run stops cleanly');
  const text = readFileSync(files.statePath, 'utf8');
  writeFileSync(files.statePath, text.slice(0, Math.floor(text.length / 2)));
  const child = new LineChild(...cliCommand(['lab', '--config', files.configPath, '--log-level', 'warn']));
  t.teardown(() => child.stop());
  const code = await child.exited;
  t.not(code, 0, 'the lab refuses to start');
  t.match(child.stderr, /pbx\.json is not readable PBX state[^]*restore it or remove the state directory/, `the message names the file and what to do (${child.stderr.trim()})`);
  t.notMatch(child.stderr, /\n\s+at /, 'no stack trace');
  t.equal(readFileSync(files.statePath, 'utf8'), text.slice(0, Math.floor(text.length / 2)), 'the damaged file is left as it was for the user to inspect');
});
