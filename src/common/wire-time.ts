/**
 * The one formatter of timestamps on the wire (contract management §0.2): RFC 3339 in UTC with a `Z`
 * suffix and milliseconds only when there are some; the pre-formatted fields of v0.4.0 (login
 * `expires-at`, merge-operation summaries) use `+00:00` instead of `Z`, and token `expires_at` is in whole
 * seconds.
 */
export function formatTimestamp(date: Date, options: { suffix?: 'Z' | '+00:00'; wholeSeconds?: boolean } = {}): string {
  const iso = date.toISOString();
  const trimmed = options.wholeSeconds ? iso.replace(/\.\d{3}Z$/, 'Z') : iso.replace('.000Z', 'Z');
  return options.suffix === '+00:00' ? trimmed.replace(/Z$/, '+00:00') : trimmed;
}
