/**
 * Result codes (ITU-T V.250 §5.7.1, Table 1) and their formatting under
 * ATV (verbose/numeric), ATQ (quiet) and ATX (which codes appear).
 */
export enum ResultCode {
  Ok = 0,
  Connect = 1,
  Ring = 2,
  NoCarrier = 3,
  Error = 4,
  NoDialtone = 6,
  Busy = 7,
  NoAnswer = 8,
}

export const VERBOSE: Record<ResultCode, string> = {
  [ResultCode.Ok]: 'OK',
  [ResultCode.Connect]: 'CONNECT',
  [ResultCode.Ring]: 'RING',
  [ResultCode.NoCarrier]: 'NO CARRIER',
  [ResultCode.Error]: 'ERROR',
  [ResultCode.NoDialtone]: 'NO DIALTONE',
  [ResultCode.Busy]: 'BUSY',
  [ResultCode.NoAnswer]: 'NO ANSWER',
};

/**
 * Numeric codes of `CONNECT <rate>` in the Rockwell/Hayes family (V.250
 * leaves extended codes to the manufacturer); rates without an entry fall
 * back to plain CONNECT's 1 in numeric mode.
 */
export const CONNECT_RATE_CODES: Readonly<Record<number, number>> = {
  300: 1, 1200: 5, 2400: 10, 4800: 11, 9600: 12, 7200: 13, 12000: 14, 14400: 15, 64000: 28,
};

/**
 * Hayes ATX levels: what the modem detects and therefore reports.
 * X0: basic codes 0–4 only, CONNECT without rate, blind dialing.
 * X1: adds CONNECT <rate>.  X2: adds NO DIALTONE (waits for dial tone).
 * X3: adds BUSY and NO ANSWER (blind dialing).  X4: everything (default).
 */
export const MAX_X_LEVEL = 4;

export interface ResultFormat {
  verbose: boolean;
  quiet: boolean;
  xLevel: number;
  /** S3, S4 (V.250 §6.2.1, §6.2.2). */
  cr: number;
  lf: number;
}

/** What a call outcome looks like at a given X level (codes the level cannot detect become NO CARRIER). */
export function codeForLevel(code: ResultCode, xLevel: number): ResultCode {
  if (code === ResultCode.NoDialtone && xLevel !== 2 && xLevel < 4) return ResultCode.NoCarrier;
  if ((code === ResultCode.Busy || code === ResultCode.NoAnswer) && xLevel < 3) return ResultCode.NoCarrier;
  return code;
}

/**
 * Bytes for one result code. V1: `<CR><LF>text<CR><LF>`; V0: digits + `<CR>`
 * (V.250 §5.7.1, Table 1). `connectText` (e.g. "14400/V42BIS") is shown from
 * X1 up; X0 gives plain CONNECT.
 */
export function formatResult(code: ResultCode, fmt: ResultFormat, connectText?: string): string {
  if (fmt.quiet) return '';
  const shown = codeForLevel(code, fmt.xLevel);
  const cr = String.fromCharCode(fmt.cr);
  const lf = String.fromCharCode(fmt.lf);
  const withRate = shown === ResultCode.Connect && fmt.xLevel >= 1 && connectText;
  if (!fmt.verbose) {
    const rate = withRate ? Number.parseInt(connectText, 10) : NaN;
    const numeric = withRate ? (CONNECT_RATE_CODES[rate] ?? ResultCode.Connect) : shown;
    return `${numeric}${cr}`;
  }
  const text = withRate ? `CONNECT ${connectText}` : VERBOSE[shown];
  return `${cr}${lf}${text}${cr}${lf}`;
}

/** Information text (ATI, AT&V, ATSn?): V1 `<CR><LF>text<CR><LF>`, V0 `text<CR><LF>` (V.250 Table 1). */
export function formatInfo(text: string, fmt: ResultFormat): string {
  const cr = String.fromCharCode(fmt.cr);
  const lf = String.fromCharCode(fmt.lf);
  const body = text.split('\n').join(cr + lf);
  return fmt.verbose ? `${cr}${lf}${body}${cr}${lf}` : `${body}${cr}${lf}`;
}
