import type { SessionCommand } from '../session-command.js';
import { askSecret, showLines } from './access-commands.js';
import { changeKdsItem } from './kds-commands.js';

/** The LAN option's check-in settings (docs/session-protocol.md, docs/check-in-telegram.md). */
export const lanCommands: SessionCommand[] = [
  {
    words: ['lan', 'show'],
    help: 'the LAN option: on/off, centre address, interval, whether a key is set (it is never shown)',
    run(ctx) {
      showLines(ctx, ['lan.']);
    },
  },
  {
    words: ['lan', 'key'],
    help: 'set this PBX\'s check-in key, base64 as "centre device add" printed it (asks twice, no echo)',
    run(ctx) {
      askSecret(ctx, 'Key', 'lan.key');
    },
  },
  {
    words: ['lan', 'key-clear'],
    help: 'forget the check-in key (the PBX stops checking in)',
    run(ctx) {
      changeKdsItem(ctx, 'lan.key', '');
    },
  },
];
