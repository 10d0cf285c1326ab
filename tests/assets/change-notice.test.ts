// The connector's notice to the federated catalog: a burst of catalog changes sends one notice; a passing
// failure (authority unreachable, 5xx, 429) is retried until it goes through; a refusal (403) is not.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { CatalogChangeNotice } from '../../connector/assets/change-notice.js';
import { AuthorityClientError } from '../../connector/wallet/authority-client.js';
import { captureLogger } from '../logging/capture.js';

async function until(what: string, check: () => boolean): Promise<void> {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('assets/change-notice: telling the catalog our offers changed', () => {
  const notices: CatalogChangeNotice[] = [];
  afterEach(() => notices.splice(0).forEach((n) => n.close()));

  function notice(outcomes: (Error | undefined)[]) {
    const { logger, lines } = captureLogger('debug');
    let calls = 0;
    const n = new CatalogChangeNotice({
      send: () => {
        const outcome = outcomes[calls++];
        return outcome ? Promise.reject(outcome) : Promise.resolve();
      },
      logger,
      debounceMs: 20,
      retryDelayMs: 5,
    });
    notices.push(n);
    return { n, lines, calls: () => calls };
  }

  it('sends one notice for a burst of changes', async () => {
    const { n, lines, calls } = notice([]);
    for (let i = 0; i < 10; i++) n.changed();
    await until('the notice', () => calls() === 1);
    await until('its log line', () => lines.length === 1);
    await sleep(60); // a second notice would have left by now
    expect(calls()).to.equal(1);
    expect(lines[0]).to.include({ level: 'debug' });
  });

  it('retries an unreachable authority and a 503 until the notice goes through', async () => {
    const { n, calls, lines } = notice([
      new AuthorityClientError(0, 'cannot reach the authority'),
      new AuthorityClientError(503, 'starting'),
      undefined,
    ]);
    n.changed();
    await until('the third attempt', () => calls() === 3);
    await until('the success line', () => lines.some((l) => l.level === 'debug'));
    expect(lines.filter((l) => l.level === 'info').map((l) => String(l.msg))).to.have.length(2);
  });

  it('gives up at once when the authority refuses (not a member), saying the schedule will pick it up', async () => {
    const { n, calls, lines } = notice([new AuthorityClientError(403, 'not a member'), undefined]);
    n.changed();
    await until('the warning', () => lines.some((l) => l.level === 'warn'));
    await sleep(40);
    expect(calls()).to.equal(1);
    expect(String(lines.find((l) => l.level === 'warn')?.msg)).to.match(/next scheduled crawl/);
  });
});
