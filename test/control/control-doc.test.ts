import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CONTROL_COMMANDS } from '../../src/control/control-commands.js';
import { LAB_EVENT_NAMES } from '../../src/lab/lab-events.js';
import { ControlTestClient, type ControlMessage } from '../support/control-client.js';
import { CONTROL_DOC, controlBlocks, docMismatch, type DocBlock, type DocLine } from '../support/control-doc.js';
import { startControlLab, writeDefaultLabConfig } from '../support/control-lab.js';
import { tempDir } from '../support/lab-child.js';

/**
 * docs/control.md is the control port's contract: every example exchange
 * on it is replayed against a real `hicom-sim lab --virtual-time` child, in
 * page order on one connection, so the page and the program cannot drift.
 */
const blocks = controlBlocks();
const DOC_TOKEN = 'docs-example-token-0123456789';

/** Replay one block: each request, then the documented lines against what the lab sent (events, its reply, anything after it). */
async function replay(t: Test, client: ControlTestClient, block: DocBlock): Promise<void> {
  const groups: Array<{ send?: string; expect: DocLine[] }> = [{ expect: [] }];
  for (const l of block.lines) {
    if (l.dir === 'send') groups.push({ send: l.text, expect: [] });
    else groups[groups.length - 1].expect.push(l);
  }
  for (const g of groups) {
    if (g.send === undefined && g.expect.length === 0) continue;
    if (g.send !== undefined) client.sendLine(g.send);
    const where = `docs/control.md:${block.line} ${g.send ?? '(greeting)'}`;
    let i = 0;
    let skipping = false;
    let replied = g.send === undefined;
    const consume = (m: ControlMessage): void => {
      if (i < g.expect.length && g.expect[i].dir === 'expect' && (g.expect[i] as { any: boolean }).any) {
        skipping = true;
        i++;
      }
      const e = g.expect[i];
      const mismatch = e && e.dir === 'expect' && !e.any ? docMismatch(m, e.value) : 'nothing more is documented';
      if (!mismatch) {
        i++;
        skipping = false;
        return;
      }
      if (skipping) return;
      throw new Error(`${where}: the lab sent ${JSON.stringify(m)}\n  ${mismatch}`);
    };
    // Up to the reply (or the greeting), then as many more lines as the page documents after it.
    while (!replied) {
      const m = await client.next();
      consume(m);
      if ('id' in m) replied = true;
    }
    if (g.send === undefined) consume(await client.next());
    while (i < g.expect.length) consume(await client.next());
    t.pass(`${where}: as documented`);
  }
}

t.test('every command and every event is documented', async (t) => {
  const text = readFileSync(CONTROL_DOC, 'utf8');
  const sent = new Set(blocks.flatMap((b) => b.lines.flatMap((l) => (l.dir === 'send' && l.text.startsWith('{') ? [(JSON.parse(l.text) as { cmd?: string }).cmd] : []))));
  for (const name of CONTROL_COMMANDS.keys()) {
    t.match(text, new RegExp(`^### .*\`${name.replace('.', '\\.')}\``, 'm'), `docs/control.md has a section for ${name}`);
    t.ok(sent.has(name), `an example sends ${name}`);
  }
  for (const name of LAB_EVENT_NAMES) t.match(text, new RegExp(`\`${name.replace('.', '\\.')}\``), `the event ${name} is documented`);
});

t.test('the examples of docs/control.md replay against a running lab', async (t) => {
  const lab = await startControlLab(t, { virtualTime: true });
  const client = await ControlTestClient.connect(lab.address);
  t.teardown(() => client.close());
  for (const block of blocks.filter((b) => b.kind === 'control')) await replay(t, client, block);
  t.equal(await lab.child.exited, 0, 'lab.stop ends the lab with exit status 0');
});

t.test('the key depot example replays against a lab with a depot', async (t) => {
  const dir = tempDir(t);
  // A centre address where nothing answers: the depot's check-ins go unanswered, as the page shows.
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64');
  const config = writeDefaultLabConfig(dir, { depots: [{ id: 'DEPOT-1', compartments: 4, centre: '127.0.0.1:9', key, interval: 60 }] });
  const lab = await startControlLab(t, { virtualTime: true, config });
  const client = await ControlTestClient.connect(lab.address);
  t.teardown(() => client.close());
  for (const block of blocks.filter((b) => b.kind === 'control-depot')) await replay(t, client, block);
});

t.test('the authentication example replays against a lab with a token file', async (t) => {
  const dir = tempDir(t);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${DOC_TOKEN}\n`, { mode: 0o600 });
  const lab = await startControlLab(t, { virtualTime: true, control: 'tcp:127.0.0.1:0', args: ['--control-token-file', tokenFile] });
  t.notMatch(lab.banner, DOC_TOKEN, 'a token from a file is never printed');
  const client = await ControlTestClient.connect(lab.address);
  t.teardown(() => client.close());
  for (const block of blocks.filter((b) => b.kind === 'control-auth')) await replay(t, client, block);
});
