/**
 * A live stream (text/event-stream) read as a client does: `heard` resolves
 * true once the text so far matches `pattern`, false if the server ends the
 * stream first; `text()` is everything read so far.
 */
export function readLiveStream(res: Response, pattern: RegExp): { heard: Promise<boolean>; text(): string } {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  const heard = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      seen += decoder.decode(value);
      if (pattern.test(seen)) return true;
    }
  })();
  return { heard, text: () => seen };
}
