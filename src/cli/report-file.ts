import { writeFileSync } from 'node:fs';
import { CliError } from './cli-error.js';

/** Write the report, or say in one line why it could not be written. */
export function writeReport(path: string, html: string): void {
  try {
    writeFileSync(path, html);
  } catch (err) {
    throw new CliError(`--report ${path}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  process.stdout.write(`timeline report: ${path}\n`);
}
