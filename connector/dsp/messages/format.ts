// Transfer formats on the wire. The DSP context types `format` (a Distribution's, a
// TransferRequestMessage's) as a vocabulary IRI and defines no format terms, so a bare "HttpData-PULL"
// expands to a relative IRI that JSON-LD processors drop or keep unresolved. Shuyu writes the format in
// the DSP namespace ("dspace:HttpData-PULL"), and reads it back in any of the forms peers send: bare (the
// DSP TCK, EDC, older Shuyu connectors), prefixed, or the full IRI.

const DSPACE_PREFIX = 'dspace:';
const DSPACE_NS = 'https://w3id.org/dspace/2025/1/';

/** The format as Shuyu sends it: a bare name becomes "dspace:<name>"; an IRI is left as it is. */
export function wireFormat(name: string): string {
  return name.includes(':') ? name : DSPACE_PREFIX + name;
}

/** The format's name as Shuyu keeps it ("HttpData-PULL"), from any of the forms it arrives in. */
export function readFormat(value: string): string {
  if (value.startsWith(DSPACE_PREFIX)) return value.slice(DSPACE_PREFIX.length);
  if (value.startsWith(DSPACE_NS)) return value.slice(DSPACE_NS.length);
  return value;
}
