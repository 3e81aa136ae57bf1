import { FrameType } from '../armored-frame.js';
import { CARD_ID_PATTERN, checkChipCard, type CardIdentity } from '../chip-card.js';
import { Circle, CIRCLE_NAME, parseCircle } from '../circles.js';
import { cardIdentityOf } from '../first-login-wizard.js';
import { hasUserAdmin } from '../rights.js';
import type { CommandContext, SessionCommand } from '../session-command.js';
import { formatDateTime } from '../time-format.js';
import { AMHOST_NAME, SERVICE_NAME, UserTable } from '../user-table.js';

/** Ask for a new password twice; `then` gets it when both agree and it is valid. */
export function askNewPassword(ctx: CommandContext, label: string, then: (password: string) => void): void {
  ctx.ask(`${label}:`, true, (pw1) => {
    const bad = UserTable.checkPassword(pw1);
    if (bad) return ctx.fail(422, bad);
    ctx.ask(`Repeat ${label.toLowerCase()}:`, true, (pw2) => {
      if (pw1 !== pw2) return ctx.fail(422, 'the passwords differ');
      then(pw1);
    });
  });
}

/** Would the table still have somebody who can administer users without `name`? */
function leavesUserAdmin(ctx: CommandContext, name: string): boolean {
  return hasUserAdmin(ctx.pbx.users.list().filter((u) => u.name.toUpperCase() !== name.toUpperCase()));
}

/**
 * Create a user after the checks every way of adding one shares: the name is
 * free, and somebody can still administer users afterwards (the first user
 * outside System maintenance ends its "all rights" phase, user
 * administration included; seed: "neu generiert"). Then the password
 * twice, D2-1, create.
 */
function createUser(ctx: CommandContext, name: string, circle: Circle | undefined, card: CardIdentity | undefined): void {
  if (ctx.pbx.users.find(name)) return ctx.fail(409, `user ${name} exists already`);
  if (!hasUserAdmin([...ctx.pbx.users.list(), { circle }])) {
    return ctx.fail(409, `creating ${name} in ${circle === undefined ? 'no circle' : CIRCLE_NAME[circle]} would leave nobody who can administer users; create a ${CIRCLE_NAME[Circle.UserAdministration]} user first`);
  }
  const isAmhost = name.toUpperCase() === AMHOST_NAME;
  askNewPassword(ctx, 'Password', (password) => {
    ctx.pbx.audit(ctx.actor, 8, `D2-1 ${isAmhost ? AMHOST_NAME : name} ${circle === undefined ? '-' : CIRCLE_NAME[circle]}${card ? ` card ${card}` : ''}`);
    const result = ctx.pbx.users.add(name, circle, password, ctx.pbx.clock.now(), card);
    if (!result.ok) return ctx.fail(result.code, result.error);
    ctx.pbx.persist();
    ctx.ok(`user ${result.user.name} created${circle === undefined ? ' without circle' : ` in ${CIRCLE_NAME[circle]}`}${card ? ` (chip card, ${card})` : ''}`);
  });
}

export const userCommands: SessionCommand[] = [
  {
    words: ['user', 'list'],
    help: 'users with circle, creation date and last login',
    action: 'user-admin',
    run(ctx) {
      ctx.print(`${'name'.padEnd(16)} ${'circle'.padEnd(20)} ${'created'.padEnd(19)} last-login`);
      for (const u of ctx.pbx.users.list()) {
        const circle = u.circle === undefined ? '-' : CIRCLE_NAME[u.circle];
        ctx.print(`${u.name.padEnd(16)} ${circle.padEnd(20)} ${formatDateTime(u.created)} ${u.lastLogin === undefined ? 'never' : formatDateTime(u.lastLogin)}${u.card ? ` card:${u.card}` : ''}`);
      }
      ctx.ok();
    },
  },
  {
    words: ['user', 'add'],
    params: '<name> [circle] [individual|group]',
    help: 'create a user (circle 1–6 or its name; AMHOST without circle; Octopus E: individual/group makes it a chip card user); asks the password twice (D2-1)',
    action: 'user-admin',
    run(ctx, args) {
      const [name, circleText, cardText] = args;
      const bad = UserTable.checkName(name);
      if (bad) return ctx.fail(422, bad);
      let circle: Circle | undefined;
      if (name.toUpperCase() === AMHOST_NAME) {
        if (circleText !== undefined) return ctx.fail(422, 'AMHOST is created without a circle');
      } else {
        if (circleText === undefined) return ctx.fail(422, `${name} needs a circle (1–6 or its name); only AMHOST is created without one`);
        circle = parseCircle(circleText);
        if (circle === undefined) return ctx.fail(422, `unknown circle "${circleText}"; use 1–6 or ${Object.values(CIRCLE_NAME).join(', ')}`);
      }
      let card: CardIdentity | undefined;
      if (cardText !== undefined) {
        if (ctx.pbx.variant !== 'octopus-e') return ctx.fail(422, 'chip card users exist only on an Octopus E');
        if (cardText !== 'individual' && cardText !== 'group') return ctx.fail(422, 'a chip card user is individual or group');
        if (!CARD_ID_PATTERN.test(name)) return ctx.fail(422, `${name} is no card id (1–16 letters, digits or dashes)`);
        card = cardText;
      }
      createUser(ctx, name, circle, card);
    },
  },
  {
    words: ['user', 'add-card'],
    params: '<circle>',
    help: 'Octopus E: create a chip card user from a card (then send the CARD frame; group or individual id); asks the password twice (D2-1)',
    action: 'user-admin',
    run(ctx, args) {
      if (ctx.pbx.variant !== 'octopus-e') return ctx.fail(422, 'chip card users exist only on an Octopus E');
      const circle = parseCircle(args[0]);
      if (circle === undefined) return ctx.fail(422, `unknown circle "${args[0]}"; use 1–6 or ${Object.values(CIRCLE_NAME).join(', ')}`);
      ctx.receiveFrame(FrameType.Card, (payload) => {
        const check = checkChipCard(payload, ctx.pbx.clock.now());
        if (!check.ok) return ctx.fail(422, `chip card${check.card ? ` ${check.card.individual}` : ''} refused: ${check.reason}`);
        const { card } = check;
        ctx.ask(`Add as (group ${card.group} | individual ${card.individual}):`, false, (answer) => {
          const identity = cardIdentityOf(answer, card);
          if (!identity) return ctx.fail(422, `answer group or individual (${card.group} or ${card.individual})`);
          createUser(ctx, card[identity], circle, identity);
        });
      });
    },
  },
  {
    words: ['user', 'delete'],
    params: '<name>',
    help: 'delete a user (D2-2); a forgotten password means delete and re-create',
    action: 'user-admin',
    run(ctx, args) {
      const user = ctx.pbx.users.find(args[0]);
      if (!user) return ctx.fail(404, `no user ${args[0]}`);
      if (user.circle !== undefined && !leavesUserAdmin(ctx, user.name)) return ctx.fail(409, `deleting ${user.name} would leave nobody who can administer users`);
      ctx.pbx.audit(ctx.actor, 8, `D2-2 ${user.name}`);
      ctx.pbx.users.remove(user.name);
      ctx.pbx.persist();
      // The last user administrator leaves by deleting itself, which hands
      // all rights back to System maintenance; the session cannot outlive it.
      if (user.name.toUpperCase() === ctx.actor.user.toUpperCase()) {
        ctx.print(`user ${user.name} deleted; logging out`);
        return ctx.logout();
      }
      ctx.ok(`user ${user.name} deleted`);
    },
  },
  {
    words: ['passwd'],
    help: 'change your own password (D3-1); nobody can read or change another user\'s',
    run(ctx, args) {
      // "passwd rev" must not look as if it changed rev's password.
      const own = ctx.pbx.users.find(ctx.actor.user);
      if (!own) return ctx.fail(403, 'the Release 1.0 password cannot be changed from a session');
      if (own.name === AMHOST_NAME) return ctx.fail(403, 'the AMHOST password changes only by deleting and re-creating AMHOST');
      ctx.ask('Old password:', true, (old) => {
        if (!ctx.verifyOwnPassword(old)) {
          ctx.pbx.audit(ctx.actor, 3, 'A0-3');
          return ctx.fail(401, 'old password wrong');
        }
        askNewPassword(ctx, 'New password', (password) => {
          ctx.pbx.audit(ctx.actor, 8, `D3-1 ${own.name}`);
          const result = ctx.pbx.users.setPassword(own.name, password);
          if (!result.ok) return ctx.fail(result.code, result.error);
          ctx.pbx.persist();
          ctx.ok('password changed');
        });
      });
    },
  },
  {
    // Seed: "Das Passwort für die Systempflege kann während des Fertigungstests
    // geändert werden, muss aber durch Reload der Datenbasis wieder zurückgesetzt werden".
    words: ['service', 'password'],
    help: 'production test: change the delivered SERVICE password (local port, delivered PBX only; the reload switch restores the default) (D3-1)',
    action: 'user-admin',
    run(ctx) {
      if (!ctx.actor.local) return ctx.fail(403, 'the SERVICE password is changed only on a local admin port (production test)');
      if (!ctx.pbx.users.find(SERVICE_NAME)?.firstLogin) return ctx.fail(409, 'the PBX is not in its delivered state: SERVICE was replaced at the first login');
      askNewPassword(ctx, 'New SERVICE password', (password) => {
        ctx.pbx.audit(ctx.actor, 8, `D3-1 ${SERVICE_NAME}`);
        const result = ctx.pbx.users.setPassword(SERVICE_NAME, password);
        if (!result.ok) return ctx.fail(result.code, result.error);
        ctx.pbx.persist();
        ctx.ok('SERVICE password changed; the reload switch restores the default');
      });
    },
  },
];
