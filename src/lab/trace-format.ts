/**
 * How a trace writes X.75 calls' frames (docs/traces.md): `wireshark`, the
 * upper-PDU link type every Wireshark opens; `lapb-with-dir`, link type 207
 * of the tcpdump.org registry. Its own module so the CLI can offer the
 * choice without loading the trace writer.
 */
export const TRACE_FORMATS = ['wireshark', 'lapb-with-dir'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];
