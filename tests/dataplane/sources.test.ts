// Sources: file confinement (every traversal spelling, symlink escapes), the http backend's
// allow-list, private-address refusal, redirects, timeout and Range pass-through, and inline data.
import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createSourceRegistry,
  generateCsv,
  isPrivateAddress,
  type SourceRegistry,
} from '../../connector/dataplane/index.js';
import { readAll, removeTempDirs, tempDir, thrown } from './helpers.js';

describe('dataplane/sources', () => {
  after(removeTempDirs);

  describe('file', () => {
    let base: string;
    let outside: string;
    let registry: SourceRegistry;
    before(async () => {
      const root = await tempDir();
      base = join(root, 'assets');
      outside = join(root, 'private');
      await mkdir(join(base, 'nested'), { recursive: true });
      await mkdir(outside);
      await writeFile(join(base, 'visits.csv'), 'id,age\n1,40\n2,51\n');
      await writeFile(join(base, 'nested', 'a.txt'), '0123456789');
      await writeFile(join(outside, 'secret.txt'), 'the provider private key');
      await symlink(join(outside, 'secret.txt'), join(base, 'escape.txt'));
      await symlink(outside, join(base, 'escape-dir'));
      await symlink(join(base, 'visits.csv'), join(base, 'alias.csv'));
      registry = createSourceRegistry({ file: { baseDirectories: [base] } });
    });

    it('serves a file inside a base directory, by absolute or relative path', async () => {
      for (const path of [join(base, 'visits.csv'), 'visits.csv']) {
        const data = await registry.resolve({ kind: 'file', path }).open();
        expect((await readAll(data.stream)).toString()).to.equal('id,age\n1,40\n2,51\n');
        expect(data.size).to.equal(17);
        expect(data.contentType).to.equal('text/csv');
        expect(data.etag).to.match(/^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
      }
    });

    it('refuses ../ in a relative path', async () => {
      const error = await thrown(() => registry.resolve({ kind: 'file', path: '../private/secret.txt' }));
      expect(error.code).to.equal('ERR_SOURCE_PATH_REFUSED');
    });

    it('refuses .. inside an absolute path even when it would land inside', async () => {
      for (const path of [`${base}/../private/secret.txt`, `${base}/nested/../visits.csv`]) {
        expect((await thrown(() => registry.resolve({ kind: 'file', path }))).code).to.equal(
          'ERR_SOURCE_PATH_REFUSED',
        );
      }
    });

    it('refuses an absolute path outside every base directory', async () => {
      for (const path of [join(outside, 'secret.txt'), '/etc/passwd']) {
        const error = await thrown(() => registry.resolve({ kind: 'file', path }));
        expect(error.code).to.equal('ERR_SOURCE_PATH_REFUSED');
        expect(error.message).to.contain('outside the configured directories');
        // The refusal names the folder the file belongs in.
        expect(error.message).to.contain(base);
      }
    });

    it('refuses percent-encoded, double-encoded and backslash traversal', async () => {
      for (const path of [
        '%2e%2e/private/secret.txt',
        '..%2fprivate%2fsecret.txt',
        '%252e%252e%252fprivate/secret.txt',
        'nested\\..\\..\\private\\secret.txt',
      ]) {
        const error = await thrown(() => registry.resolve({ kind: 'file', path }));
        expect(error.code, path).to.equal('ERR_SOURCE_PATH_REFUSED');
      }
    });

    it('refuses a NUL byte', async () => {
      const error = await thrown(() => registry.resolve({ kind: 'file', path: 'visits.csv\0.txt' }));
      expect(error.code).to.equal('ERR_SOURCE_PATH_REFUSED');
    });

    it('refuses a symbolic link escaping the base (file and directory links) when the address is read', async () => {
      for (const path of ['escape.txt', 'escape-dir/secret.txt']) {
        const error = await thrown(() => registry.resolve({ kind: 'file', path }));
        expect(error.code, path).to.equal('ERR_SOURCE_PATH_REFUSED');
        expect(error.message).to.contain('symbolic link');
      }
    });

    it('follows a symbolic link that stays inside the base', async () => {
      const data = await registry.resolve({ kind: 'file', path: 'alias.csv' }).open();
      expect((await readAll(data.stream)).toString()).to.contain('1,40');
    });

    it('reports a missing file or a directory as not found', async () => {
      for (const path of ['missing.csv', 'nested']) {
        const error = await thrown(() => registry.resolve({ kind: 'file', path }).open());
        expect(error.code, path).to.equal('ERR_SOURCE_NOT_FOUND');
      }
    });

    it('refuses file assets when no base directory is configured', async () => {
      const none = createSourceRegistry({ file: { baseDirectories: [] } });
      expect((await thrown(() => none.resolve({ kind: 'file', path: '/tmp/x' }))).code).to.equal(
        'ERR_SOURCE_PATH_REFUSED',
      );
    });

    it('serves ranges: from, bounded, suffix; a start past the end is unsatisfiable', async () => {
      const source = registry.resolve({ kind: 'file', path: 'nested/a.txt' });
      const cases = [
        [{ kind: 'from', start: 2, end: 5 }, '2345', { start: 2, end: 5 }],
        [{ kind: 'from', start: 7 }, '789', { start: 7, end: 9 }],
        [{ kind: 'suffix', length: 3 }, '789', { start: 7, end: 9 }],
        [{ kind: 'from', start: 8, end: 100 }, '89', { start: 8, end: 9 }],
      ] as const;
      for (const [range, body, served] of cases) {
        const data = await source.open(range);
        expect((await readAll(data.stream)).toString()).to.equal(body);
        expect(data.range).to.deep.equal(served);
        expect(data.size).to.equal(10);
      }
      const error = await thrown(() => source.open({ kind: 'from', start: 10 }));
      expect(error.code).to.equal('ERR_RANGE_NOT_SATISFIABLE');
      expect(error.details?.size).to.equal(10);
    });
  });

  describe('http', () => {
    let backend: Server;
    let port: number;
    const seen: IncomingHttpHeaders[] = [];
    const body = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    before(async () => {
      backend = createServer((req, res) => {
        seen.push(req.headers);
        if (req.url === '/redirect') {
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
          return;
        }
        if (req.url === '/slow') return; // never answers
        if (req.headers.authorization !== 'Bearer backend-secret') {
          res.writeHead(401).end();
          return;
        }
        const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (match) {
          const start = Number(match[1]);
          const end = match[2] ? Math.min(Number(match[2]), body.length - 1) : body.length - 1;
          if (start >= body.length) {
            res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
            return;
          }
          res.writeHead(206, {
            'content-type': 'text/plain',
            etag: '"v1"',
            'content-range': `bytes ${start}-${end}/${body.length}`,
            'content-length': end - start + 1,
          });
          res.end(body.subarray(start, end + 1));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain', etag: '"v1"', 'content-length': body.length });
        res.end(body);
      });
      await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
      port = (backend.address() as AddressInfo).port;
    });
    after(async () => {
      backend.closeAllConnections();
      await new Promise((resolve) => backend.close(resolve));
    });

    const local = (extra: object = {}) =>
      createSourceRegistry({
        http: {
          allowHosts: ['127.0.0.1', 'localhost'],
          allowHttp: true,
          allowPrivateAddresses: true,
          timeoutMs: 300,
          credentials: { backend: { authorization: 'Bearer backend-secret' } },
          ...extra,
        },
      });

    it('fetches with the configured credential, which never shows in describe()', async () => {
      const source = local().resolve({
        kind: 'http',
        url: `http://127.0.0.1:${port}/export?api_key=visible-only-to-the-backend`,
        credential: 'backend',
      });
      const data = await source.open();
      expect((await readAll(data.stream)).toString()).to.equal(body.toString());
      expect(data.size).to.equal(26);
      expect(data.etag).to.equal('"v1"');
      expect(seen.at(-1)?.authorization).to.equal('Bearer backend-secret');
      expect(source.describe()).to.equal(`http http://127.0.0.1:${port}/export`);
    });

    it('passes Range through and reads the served range from Content-Range', async () => {
      const source = local().resolve({
        kind: 'http',
        url: `http://127.0.0.1:${port}/x`,
        credential: 'backend',
      });
      const data = await source.open({ kind: 'from', start: 10, end: 14 });
      expect(seen.at(-1)?.range).to.equal('bytes=10-14');
      expect((await readAll(data.stream)).toString()).to.equal('klmno');
      expect(data.range).to.deep.equal({ start: 10, end: 14 });
      expect(data.size).to.equal(26);
      const error = await thrown(() => source.open({ kind: 'from', start: 99 }));
      expect(error.code).to.equal('ERR_RANGE_NOT_SATISFIABLE');
      expect(error.details?.size).to.equal(26);
    });

    it('refuses a host that is not on the allow-list', async () => {
      const registry = local({ allowHosts: ['backend.provider.example'] });
      for (const url of [
        `http://127.0.0.1:${port}/x`,
        'http://evil.example/x',
        'http://backend.provider.example.evil.example/',
      ]) {
        expect((await thrown(() => registry.resolve({ kind: 'http', url }))).code, url).to.equal(
          'ERR_SOURCE_HOST_REFUSED',
        );
      }
    });

    it('refuses loopback and private targets unless allowed explicitly', async () => {
      const registry = local({
        allowPrivateAddresses: false,
        allowHosts: ['127.0.0.1', 'localhost', '10.1.2.3'],
      });
      for (const url of [`http://127.0.0.1:${port}/x`, `http://localhost:${port}/x`, 'http://10.1.2.3/x']) {
        const source = registry.resolve({ kind: 'http', url, credential: 'backend' });
        const error = await thrown(() => source.open());
        expect(error.code, url).to.equal('ERR_SOURCE_HOST_REFUSED');
        expect(error.message).to.contain('allowPrivateAddresses');
      }
      expect(seen.filter((h) => h.host === `localhost:${port}`)).to.have.length(0);
    });

    it('refuses plain http unless allowed, and URLs carrying user information', async () => {
      const https = local({ allowHttp: false });
      expect(
        (await thrown(() => https.resolve({ kind: 'http', url: `http://127.0.0.1:${port}/x` }))).code,
      ).to.equal('ERR_SOURCE_HOST_REFUSED');
      expect(
        (await thrown(() => local().resolve({ kind: 'http', url: `http://u:p@127.0.0.1:${port}/` }))).code,
      ).to.equal('ERR_SOURCE_ADDRESS_INVALID');
    });

    it('refuses a credential name that is not configured (including prototype names)', async () => {
      for (const credential of ['other', 'constructor', '__proto__']) {
        const error = await thrown(() =>
          local().resolve({ kind: 'http', url: `http://127.0.0.1:${port}/x`, credential }),
        );
        expect(error.code, credential).to.equal('ERR_SOURCE_ADDRESS_INVALID');
      }
    });

    it('does not follow redirects', async () => {
      const source = local().resolve({ kind: 'http', url: `http://127.0.0.1:${port}/redirect` });
      const error = await thrown(() => source.open());
      expect(error.code).to.equal('ERR_SOURCE_BACKEND_FAILED');
      expect(error.message).to.contain('redirect');
    });

    it('times out a backend that does not answer', async () => {
      const source = local().resolve({ kind: 'http', url: `http://127.0.0.1:${port}/slow` });
      const error = await thrown(() => source.open());
      expect(error.code).to.equal('ERR_SOURCE_BACKEND_FAILED');
      expect(error.message).to.contain('did not answer');
    });

    it('knows which addresses are private', () => {
      for (const ip of [
        '127.0.0.1',
        '10.0.0.1',
        '172.16.5.4',
        '192.168.1.1',
        '169.254.169.254',
        '::1',
        'fd00::1',
        'fe80::1',
        '::ffff:127.0.0.1',
        '0.0.0.0',
        '100.64.0.1',
      ]) {
        expect(isPrivateAddress(ip), ip).to.equal(true);
      }
      for (const ip of ['93.184.216.34', '2606:4700::1111', 'example.com']) {
        expect(isPrivateAddress(ip), ip).to.equal(false);
      }
    });
  });

  describe('inline', () => {
    const registry = createSourceRegistry({});

    it('serves literal data (utf8 and base64) with ranges and a content ETag', async () => {
      const text = await registry
        .resolve({ kind: 'inline', data: 'hello, data space' })
        .open({ kind: 'suffix', length: 5 });
      expect((await readAll(text.stream)).toString()).to.equal('space');
      expect(text.contentType).to.equal('text/plain; charset=utf-8');
      const binary = await registry
        .resolve({ kind: 'inline', data: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' })
        .open();
      expect([...(await readAll(binary.stream))]).to.deep.equal([0, 1, 2, 255]);
      expect(binary.etag).to.match(/^"[A-Za-z0-9_-]{32}"$/);
    });

    it('generates the same CSV for the same seed, and another for another seed', async () => {
      const spec = {
        kind: 'inline',
        generator: 'csv',
        rows: 50,
        columns: ['patient_id', 'visit_date', 'name', 'age'],
        seed: 7,
      };
      const a = await readAll((await registry.resolve(spec).open()).stream);
      const b = await readAll((await createSourceRegistry({}).resolve(spec).open()).stream);
      const c = await readAll((await registry.resolve({ ...spec, seed: 8 }).open()).stream);
      expect(a.equals(b)).to.equal(true);
      expect(a.equals(c)).to.equal(false);
      const lines = a.toString().trimEnd().split('\n');
      expect(lines[0]).to.equal('patient_id,visit_date,name,age');
      expect(lines).to.have.length(51);
      expect(lines[1]).to.match(/^000001,2025-\d\d-\d\d,[A-Z][a-z]+ [A-Z][a-z]+,\d+$/);
    });

    it('generates typed columns with quoting', () => {
      const csv = generateCsv({
        rows: 3,
        seed: 'x',
        columns: [
          { name: 'note', type: 'choice', values: ['a, "quoted"'] },
          { name: 'amount', type: 'decimal', min: 1, max: 2 },
        ],
      });
      expect(csv.split('\n')[1]).to.match(/^"a, ""quoted""",1\.\d\d$/);
    });

    it('refuses bad generator specs and oversized data', async () => {
      const bad = [
        { kind: 'inline', generator: 'parquet', rows: 1, columns: ['a'], seed: 1 },
        { kind: 'inline', generator: 'csv', rows: -1, columns: ['a'], seed: 1 },
        {
          kind: 'inline',
          generator: 'csv',
          rows: 200_000,
          columns: Array.from({ length: 20 }, (_, i) => `c${i}`),
          seed: 1,
        },
        { kind: 'inline', generator: 'csv', rows: 1, columns: ['a', 'a'], seed: 1 },
        { kind: 'inline' },
      ];
      for (const address of bad) {
        expect((await thrown(() => registry.resolve(address))).code, JSON.stringify(address)).to.equal(
          'ERR_SOURCE_ADDRESS_INVALID',
        );
      }
      const small = createSourceRegistry({ inline: { maxBytes: 4 } });
      expect((await thrown(() => small.resolve({ kind: 'inline', data: 'too long' }))).code).to.equal(
        'ERR_SOURCE_ADDRESS_INVALID',
      );
    });
  });

  describe('registry', () => {
    it('refuses unknown kinds and non-objects, naming the kinds it knows', async () => {
      const registry = createSourceRegistry({});
      const error = await thrown(() => registry.resolve({ kind: 's3', bucket: 'x' }));
      expect(error.code).to.equal('ERR_SOURCE_KIND_UNKNOWN');
      expect(error.message).to.contain('inline');
      expect((await thrown(() => registry.resolve('file:///etc/passwd'))).code).to.equal(
        'ERR_SOURCE_ADDRESS_INVALID',
      );
      expect((await thrown(() => registry.resolve({ kind: 'file', path: '/etc/passwd' }))).code).to.equal(
        'ERR_SOURCE_KIND_UNKNOWN',
      );
    });
  });
});
