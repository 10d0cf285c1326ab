// Loopback detection: plain http (DID documents, status lists) and the test identity mode are only ever
// allowed towards or on the local machine.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * True for `localhost`, any 127.0.0.0/8 address, `::1` (with or without brackets, in any spelling) and the
 * IPv4-mapped form of 127.0.0.0/8. Anything else, including `0.0.0.0` and `::`, is not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  let value = host.trim().toLowerCase();
  if (value.endsWith('.')) value = value.slice(0, -1);
  if (value === 'localhost') return true;
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  if (isIPv4(value)) return value.startsWith('127.');
  if (isIPv6(value)) {
    // Let the URL parser canonicalise the address (`0:0:0:0:0:0:0:1` -> `::1`, mapped IPv4 -> hex form).
    const canonical = new URL(`http://[${value}]/`).hostname.slice(1, -1);
    if (canonical === '::1') return true;
    const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(canonical);
    return mapped !== null && (parseInt(mapped[1] ?? '0', 16) & 0xff00) === 0x7f00;
  }
  return false;
}
