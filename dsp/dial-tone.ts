/**
 * Dial tone as the DTMF receiver must tolerate it and the network plays it:
 * standard facts in a module of their own, so the receiver (which notches the
 * frequencies out) does not load the channel impairments (audio-channel.ts)
 * that generate it.
 */

/**
 * Dial tone frequencies, 350 Hz + 440 Hz: the North American "precise tone
 * plan" (ANSI T1.401 / ITU-T E.180 Supplement 2, United States entry); spandsp's
 * dtmf_rx_tests use the same pair for the dial-tone tolerance test.
 */
export const DIAL_TONE_FREQUENCIES_HZ = [350, 440] as const;
/** Precise tone plan dial tone level: −13 dBm0 per frequency (ANSI T1.401). */
export const DIAL_TONE_LEVEL_DBM0 = -13;
