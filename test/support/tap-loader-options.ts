/** One NODE_OPTIONS entry that imports tap's process-info loader, quoted or not (tap quotes each entry). */
const PROCESSINFO_IMPORT = /(^|\s)"?--import=\S*@tapjs\/processinfo\/\S*?"?(?=\s|$)/g;

/** NODE_OPTIONS without tap's process-info loader; every other entry as it was. */
export function withoutTapLoader(nodeOptions: string): string {
  return nodeOptions.replace(PROCESSINFO_IMPORT, '').trim();
}
