// The shared problem handler logs server faults only: a deliberate 501 (the Credential Service's answer to a
// presentationDefinition query) is an answer, while an unexpected error and a deliberate outage are logged.
import { expect } from 'chai';
import { createJsonApp, finishJsonApp } from '../../connector/http/json-app.js';
import { HttpProblem } from '../../connector/http/problem.js';
import { listen, type RunningServer } from '../../connector/http/server.js';

describe('http/problem: what the problem handler logs', () => {
  let server: RunningServer;
  const logged: unknown[] = [];

  before(async () => {
    const app = createJsonApp();
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
    finishJsonApp(app, (error) => logged.push(error));
    server = await listen(app, { host: '127.0.0.1', port: 0 });
  });
  after(async () => server?.close());

  async function statusOf(path: string): Promise<{ status: number; title: unknown }> {
    const response = await fetch(`${server.url}${path}`);
    const body = (await response.json()) as { title?: unknown };
    return { status: response.status, title: body.title };
  }

  it('answers a deliberate 501 without logging it', async () => {
    expect(await statusOf('/not-implemented')).to.deep.equal({ status: 501, title: 'Not Implemented' });
    expect(await statusOf('/bad')).to.deep.include({ status: 400 });
    expect(logged).to.deep.equal([]);
  });

  it('logs unexpected errors (answered 500) and deliberate outages (503)', async () => {
    expect(await statusOf('/fault')).to.deep.equal({ status: 500, title: 'Internal Server Error' });
    expect(await statusOf('/outage')).to.deep.include({ status: 503 });
    expect(logged.map((error) => (error as Error).message)).to.deep.equal([
      'a bug',
      'The authority cannot be reached.',
    ]);
  });
});
