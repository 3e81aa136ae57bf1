import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import t from 'tap';
import { startCentre } from '../support/centre-child.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';
import { formBody } from '../support/portal-rig.js';

const MANAGER = { name: 'chef', password: 'Leitstelle 2026!' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchTls(url: string, ca: Buffer, options: RequestOptions = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cookiesOf = (a: Answer) => (Array.isArray(a.headers['set-cookie']) ? a.headers['set-cookie'] : []);

t.test('the portal over HTTPS with a configured certificate: verified by a client, Secure cookies, HSTS; plain HTTP refused off loopback', { timeout: 90_000 }, async (t) => {
  const dir = tempDir(t, 'hicom-portal-tls-');
  const cert = join(dir, 'portal.pem');
  const key = join(dir, 'portal.key');
  // A throwaway certificate for 127.0.0.1, as an operator would make one for a test installation.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const ca = readFileSync(cert);
  const db = `sqlite:${join(dir, 'centre.db')}`;
  const state = join(dir, 'state');
  const person = await runCliAsync(['centre', 'person', 'add', MANAGER.name, '--role', 'manager', '--db', db, '-s', state, '--log-level', 'warn'], { env: { HICOM_PORTAL_PASSWORD: MANAGER.password } });
  t.equal(person.status, 0, 'the first manager is made with the CLI');

  const centre = await startCentre(t, { db, state, extra: ['--tls-cert', cert, '--tls-key', key] });
  t.match(centre.http, /^https:\/\/127\.0\.0\.1:\d+\/api\/v1$/, 'the start names an https address');
  const origin = centre.http.replace(/\/api\/v1$/, '');

  const page = await fetchTls(`${origin}/login`, ca);
  t.equal(page.status, 200, 'the login page over TLS, the certificate verified against the configured one');
  t.match(page.headers['strict-transport-security'], /max-age=\d+/, 'with HSTS');
  const csrfCookie = cookiesOf(page).find((c) => c.startsWith('hcs_csrf='));
  t.match(csrfCookie, /; Secure/, 'the CSRF cookie is Secure');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const login = await fetchTls(
    `${origin}/login`,
    ca,
    { method: 'POST', headers: { cookie: csrfCookie?.split(';')[0] ?? '', 'content-type': 'application/x-www-form-urlencoded' } },
    formBody({ _csrf: token, name: MANAGER.name, password: MANAGER.password }),
  );
  t.equal(login.status, 303, 'the manager logs in');
  const session = cookiesOf(login).find((c) => c.startsWith('hcs_session='));
  t.match(session, /HttpOnly/, 'the session cookie is HttpOnly');
  t.match(session, /SameSite=Strict/, 'SameSite=Strict');
  t.match(session, /; Secure/, 'and Secure under TLS');
  const fleet = await fetchTls(`${origin}/fleet`, ca, { headers: { cookie: session?.split(';')[0] ?? '' } });
  t.equal(fleet.status, 200, 'the session opens the fleet over TLS');
  await t.rejects(fetchTls(`${origin}/login`, Buffer.from('')), 'a client that does not trust the certificate is refused by its own check');

  const plain = await new Promise<string>((resolve) => {
    const req = httpRequest(origin.replace('https:', 'http:') + '/login', (res) => resolve(`answered ${res.statusCode}`));
    req.on('error', (err) => resolve(`error ${err.message}`));
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
  t.notMatch(plain, /answered 200/, `plain HTTP on the TLS port gets no page (${plain})`);
  t.equal(await centre.stop(), 0, 'the centre stops cleanly');

  const offLoopback = await runCliAsync(['centre', 'serve', '--db', db, '-s', state, '--udp', '127.0.0.1:0', '--http', '192.0.2.10:7301', '--log-level', 'warn']);
  t.equal(offLoopback.status, 2, 'plain HTTP off loopback is refused (exit 2)');
  t.match(offLoopback.stderr, /plain HTTP only on loopback; give --tls-cert and --tls-key/, 'saying why and what to give');
});
