import { apsCommands } from './commands/aps-commands.js';
import { accessCommands } from './commands/access-commands.js';
import { errorCommands } from './commands/error-commands.js';
import { errorRaiseCommand } from './commands/error-raise-command.js';
import { kdsCommands } from './commands/kds-commands.js';
import { lanCommands } from './commands/lan-commands.js';
import { logCommands } from './commands/log-commands.js';
import { maintenanceCommands } from './commands/maintenance-commands.js';
import { revisorCommands } from './commands/revisor-commands.js';
import { sessionControlCommands } from './commands/session-control-commands.js';
import { specialCommands } from './commands/special-commands.js';
import { teleserviceCommands } from './commands/teleservice-commands.js';
import { userCommands } from './commands/user-commands.js';
import type { SessionCommand } from './session-command.js';

/** The session language of the admin ports and modem lines (docs/session-protocol.md), in `help` order. */
export const SESSION_COMMANDS: readonly SessionCommand[] = [
  ...sessionControlCommands,
  ...kdsCommands,
  ...userCommands,
  ...errorCommands,
  errorRaiseCommand,
  ...accessCommands,
  ...lanCommands,
  ...teleserviceCommands,
  ...logCommands,
  ...maintenanceCommands,
  ...specialCommands,
  ...apsCommands,
  ...revisorCommands,
];
