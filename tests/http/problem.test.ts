// The shared problem handler logs one line per error answer: a server fault (an unexpected error, a
// deliberate outage) at error level with its stack; a client error (a 400, a deliberate 501 such as the
// Credential Service's answer to a presentationDefinition query) without a stack; each with the request id.
import { expect } from 'chai';
import { createJsonApp, finishJsonApp } from '../../connector/http/json-app.js';
import { HttpProblem } from '../../connector/http/problem.js';
import { listen, type RunningServer } from '../../connector/http/server.js';
import { captureLogger } from '../logging/capture.js';

describe('http/problem: what the problem handler logs', () => {
  let server: RunningServer;
  const { logger, lines } = captureLogger();

  before(async () => {
    const app = createJsonApp({ logger });
    app.get('/not-implemented', () => {
      throw new HttpProblem(501, 'presentation-definition-not-supported', 'Send "scope" instead.');
    });
    app.get('/outage', () => {
      throw new HttpProblem(503, 'authority-unreachable', 'The authority cannot be reached.');
    });
    app.get('/fault', () => {
      throw new Error('a bug');
    });
    app.get('/bad', () => {
      throw new HttpProblem(400, 'invalid-body', 'Bad.');
    });
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    finishJsonApp(app);
    server = await listen(app, { host: '127.0.0.1', port: 0 });
  });
  after(async () => server?.close());
  beforeEach(() => lines.splice(0));

  async function statusOf(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; title: unknown; requestId: string | null }> {
    const response = await fetch(`${server.url}${path}`, init);
    const body = (await response.json()) as { title?: unknown };
    return { status: response.status, title: body.title, requestId: response.headers.get('x-request-id') };
  }

  it('logs a client error (400, deliberate 501) without a stack, with its code and request id', async () => {
    const bad = await statusOf('/bad', { headers: { 'X-Request-Id': 'req-400' } });
    expect(bad).to.deep.include({ status: 400, requestId: 'req-400' });
    expect(await statusOf('/not-implemented')).to.deep.include({ status: 501, title: 'Not Implemented' });
    expect(lines).to.have.length(2);
    expect(lines[0]).to.deep.include({
      level: 'info',
      status: 400,
      code: 'invalid-body',
      requestId: 'req-400',
    });
    expect(lines[1]).to.deep.include({ level: 'info', status: 501 });
    for (const line of lines) {
      expect(line).to.not.have.property('err');
      expect(JSON.stringify(line)).to.not.include('    at ');
    }
  });

  it('logs unexpected errors (answered 500) and deliberate outages (503) with their stacks', async () => {
    expect(await statusOf('/fault')).to.deep.include({ status: 500, title: 'Internal Server Error' });
    expect(await statusOf('/outage')).to.deep.include({ status: 503 });
    expect(lines.map((l) => [l.level, (l.err as { message: string }).message])).to.deep.equal([
      ['error', 'a bug'],
      ['error', 'The authority cannot be reached.'],
    ]);
    expect((lines[0]?.err as { stack: string }).stack).to.include('    at ');
  });

  it('keeps a sane X-Request-Id, replaces an unsafe one, and tags lines after a body parse failure', async () => {
    const unsafe = await statusOf('/bad', { headers: { 'X-Request-Id': 'a b"c' } });
    expect(unsafe.requestId).to.match(/^[0-9a-f-]{36}$/);
    const malformed = await statusOf('/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-json' },
      body: '{nope',
    });
    expect(malformed).to.deep.include({ status: 400, requestId: 'req-json' });
    expect(lines.map((l) => l.requestId)).to.deep.equal([unsafe.requestId, 'req-json']);
  });
});
