// Request text that cannot be percent-encoded: a lone UTF-16 surrogate (JSON's "\ud800") is valid in a
// JSON string but not Unicode text, and encodeURIComponent throws a URIError on it. Input is checked with
// loneSurrogateAt and refused with a reason; URL builders use encodeSegment, which never throws.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The index of the first lone surrogate in `value`, or -1 when it is well-formed Unicode text. */
export function loneSurrogateAt(value: string): number {
  return LONE_SURROGATE.exec(value)?.index ?? -1;
}

/** encodeURIComponent with lone surrogates spelled as U+FFFD (the peer then answers 404, never us 500). */
export function encodeSegment(value: string): string {
  return encodeURIComponent(
    loneSurrogateAt(value) === -1 ? value : value.replace(new RegExp(LONE_SURROGATE, 'g'), '\uFFFD'),
  );
}
