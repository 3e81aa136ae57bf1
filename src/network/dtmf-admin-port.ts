import { DtmfAdminConnection, type DtmfAdminSource } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import type { DisplayLines } from '../../firmware-sim/dtmf-admin/dtmf-menu.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import type { CallTerminal, IncomingCall, OfferReply } from '../../core/call.js';
import { PcmReader, samplesToBytes, VOICE_LINK } from '../../dsp/pcm.js';

/**
 * What a Hicom source PBX puts into its voice call offer in active mode: who
 * it is, and where the target's display goes. The real systems carry this in
 * ISDN signalling next to the B channel; here it travels with the offer.
 */
export interface DtmfAdminOffer {
  dtmfAdmin: { source: DtmfAdminSource; mirror(lines: DisplayLines): void };
}

/** Internal number (and DID) of the DTMF administration port in every lab PBX. */
export const DTMF_ADMIN_NUMBER = '795';

export function isDtmfAdminOffer(capabilities: unknown): capabilities is DtmfAdminOffer {
  const c = capabilities as Partial<DtmfAdminOffer> | undefined;
  return typeof c === 'object' && c !== null && typeof c.dtmfAdmin?.mirror === 'function' && typeof c.dtmfAdmin.source?.type === 'string';
}

/**
 * The PBX port that takes voice calls for DTMF remote administration: it
 * answers at once (it stands for the called party, who then keys the enable
 * procedure), runs the DTMF receiver on the audio and sends the menu's
 * feedback tones back. Data calls are refused as busy.
 */
export class DtmfAdminPort implements CallTerminal {
  constructor(private readonly pbx: Pbx, private readonly onDisplay: (lines: DisplayLines, via: string) => void = () => undefined) {}

  offerCall(call: IncomingCall): OfferReply {
    if (call.offer.bearer !== 'voice') return 'busy';
    const offer = isDtmfAdminOffer(call.offer.capabilities) ? call.offer.capabilities.dtmfAdmin : undefined;
    const via = `DTMF ${call.caller || 'unknown'}`;
    call.answer({ ...VOICE_LINK }, (path) => {
      const reader = new PcmReader();
      const conn = new DtmfAdminConnection(this.pbx, via, {
        audio: (samples) => path.write(samplesToBytes(samples)),
        display: (lines) => {
          this.onDisplay(lines, via);
          offer?.mirror(lines);
        },
        end: () => path.close(),
      }, offer?.source);
      path.onData((bytes) => conn.receive(reader.push(bytes)));
      path.onClose(() => conn.close());
    });
    return 'ringing';
  }
}
