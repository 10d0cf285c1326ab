// The one multipart/form-data body the console accepts (the asset form with its file): text fields and
// at most one file, read from a buffered body of bounded size. Enough for a form; not a general parser.

export interface MultipartForm {
  readonly fields: Readonly<Record<string, string>>;
  readonly file?: { readonly field: string; readonly name: string; readonly data: Buffer };
}

export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartForm {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) throw new Error('the form is not multipart/form-data');
  const delimiter = Buffer.from(`--${mark}`);
  const fields: Record<string, string> = {};
  let file: MultipartForm['file'];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    // A part: CRLF, headers, CRLF CRLF, content, CRLF (before the next delimiter).
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers = part.subarray(0, split).toString('utf8');
      const content = part.subarray(split + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined && filename !== undefined) {
        if (filename !== '') file = { field: name, name: filename, data: Buffer.from(content) };
      } else if (name !== undefined) {
        fields[name] = content.toString('utf8');
      }
    }
    start = next;
  }
  return { fields, ...(file ? { file } : {}) };
}
