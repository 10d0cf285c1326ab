// The participant console in a real headless browser (Debian's chromium through playwright-core): a
// provider publishes a file and an offer made from the medical sector template in its console; a
// consumer finds it in the federated catalog, negotiates it declaring purpose and place, starts the
// transfer and downloads the file. Every page is looked at on a desktop (1366×900) and a phone (390×844)
// screen, in English and in Chinese, with no horizontal overflow; screenshots go to test-artifacts/console/.
import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  hospitalApplication,
  startLocalDataSpace,
  USCC_B,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { startMember } from '../dsp/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts/console';
const CONTENT = 'ward,beds,occupied\n3-east,40,37\n5-west,32,30\n';
const SIZES = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe('participant console: publish, discover, negotiate, transfer and download in a real browser', function () {
  this.timeout(120_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(
        `    (skipped: ${CHROMIUM} is not installed; "apt-get install chromium" to run the browser tests)`,
      );
      this.skip();
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication());
    consumer = await startMember(
      space,
      'consumer',
      hospitalApplication({ organisationName: 'Haidian Clinic 海淀诊所', registrationNumber: USCC_B }),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await space?.close();
  });

  async function signedIn(connector: ControlPlaneConnector, locale = 'en-US'): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: SIZES[0], acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(connector.consoleUrl);
    expect(page.url()).to.match(/\/console\/login/);
    await page.fill('input[name=key]', connector.managementApiKey);
    await page.click('#login button');
    expect(page.url()).to.match(/\/console\/discover$/);
    return page;
  }

  /** At both sizes: no horizontal overflow, and a screenshot. */
  async function look(page: Page, name: string): Promise<void> {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      const fits = await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
      // On failure, name the elements that stick out.
      const wide = fits
        ? []
        : await page.evaluate<string[]>(
            `[...document.querySelectorAll('body *')]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth)
              .slice(0, 5)
              .map((e) => e.outerHTML.slice(0, 80) + ' right=' + Math.round(e.getBoundingClientRect().right))`,
          );
      expect(fits, `${name} at ${size.width}px overflows horizontally: ${wide.join(', ')}`).to.equal(true);
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${size.name}.png`, fullPage: true });
    }
    await page.setViewportSize(SIZES[0]);
  }

  /** Reloads until the element's text says `state` (the processes run on their own). */
  async function until(page: Page, selector: string, state: string): Promise<void> {
    for (;;) {
      const text = (await page.textContent(selector))?.trim();
      if (text === state) return;
      if (text === 'TERMINATED') throw new Error(`terminated: ${await page.textContent('main')}`);
      await page.waitForTimeout(200);
      await page.reload();
    }
  }

  it('lets the provider publish a file and an offer from the medical template', async () => {
    const page = await signedIn(provider);
    await page.goto(`${provider.consoleUrl}/publish`);
    await look(page, 'provider-publish');
    const form = page.locator('#asset-form');
    await form.locator('input[name=id]').fill('urn:dataset:ward-occupancy');
    await form.locator('input[name=title]').fill('Ward occupancy <script>alert(1)</script>');
    await form.locator('textarea[name=description]').fill('Daily ward occupancy, anonymised');
    await form.locator('input[name=keywords]').fill('wards, occupancy');
    await form.locator('select[name=dataGrade]').selectOption('general');
    await form.locator('input[name=file]').setInputFiles({
      name: 'ward-occupancy.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CONTENT),
    });
    await form.locator('button').click();
    expect(await page.textContent('[role=status]')).to.include('Asset urn:dataset:ward-occupancy added');
    expect(await page.textContent('#assets')).to.include('Ward occupancy <script>alert(1)</script>');

    await page.selectOption('select[name=template]', 'medical');
    await page.click('button:has-text("Load")');
    const policy = page.locator('#policy-json');
    expect(await policy.inputValue()).to.include('urn:shuyu:template:medical:research-use');
    // The live check follows each edit.
    await policy.fill((await policy.inputValue()).replace('2028-01-01', '2099-01-01'));
    await page.locator('#policy-live.ok', { hasText: 'The policy compiles.' }).waitFor();
    await policy.fill('{"permission": [{"action": "use", "constraint": [{"leftOperand": "purpose"}]}]}');
    await page.locator('#policy-live.bad').waitFor();
    const load = async () => {
      await page.goto(`${provider.consoleUrl}/publish?template=medical`);
      // The template ends in 2028; the form's common terms make this offer run longer.
      await page.locator('#offer-form input[name=until]').fill('2099-01-01');
    };
    await load();
    await look(page, 'provider-offer-editor');
    // Check and evaluate the template's sample request (no script needed).
    await page.click('button:has-text("Check and evaluate")');
    expect((await page.textContent('#check-result'))?.trim()).to.equal('The policy compiles.');
    expect((await page.textContent('#decision'))?.trim()).to.equal('permit');
    const checked = await page.locator('#checked-policy').textContent();
    expect(checked).to.include('2099-01-01+08:00').and.not.include('2028-01-01');
    await look(page, 'provider-policy-check');

    await load();
    await page.locator('#offer-form input[name=id]').fill('ward-research');
    await page.locator('#offer-form input[name=assets]').fill('urn:dataset:ward-occupancy');
    await page.locator('#offer-form button:has-text("Publish the offer")').click();
    expect(await page.locator('[role=alert]').count(), await page.locator('main').innerText()).to.equal(0);
    expect(await page.textContent('[role=status]')).to.include('Offer ward-research published');
    expect(await page.textContent('#offers')).to.include('ward-research');
    await space.authority.federation.crawlNow();
  });

  it('lets the consumer discover the offer, negotiate it with purpose and place, transfer and download it', async () => {
    const page = await signedIn(consumer);
    await page.fill('input[name=q]', 'ward');
    await page.click('form[role=search] button');
    expect((await page.textContent('#result-count'))?.trim()).to.equal('1 dataset you may see');
    const card = page.locator('.result', { hasText: 'Ward occupancy' });
    // The provider's title is shown as text, never run.
    expect(await card.locator('h2').textContent()).to.equal('Ward occupancy <script>alert(1)</script>');
    expect(await card.textContent())
      .to.include('scientific research')
      .and.include('Who may use it');
    await look(page, 'consumer-discover');

    await card.locator('input[name=purpose]').fill('scientific-research');
    await card.locator('input[name=place]').fill('CN');
    await card.locator('button:has-text("Negotiate")').click();
    expect(page.url()).to.match(/\/console\/contracts\/.+purpose=scientific-research/);
    await until(page, '#negotiation-state', 'FINALIZED');
    expect(await page.textContent('#agreement')).to.include('Provider’s signature');
    expect(await page.locator('#agreement .signature').first().textContent()).to.match(/^ey/);
    expect(await page.textContent('#timeline')).to.include('FINALIZED');
    expect(await page.textContent('#recorded')).to.include('agreement');
    await look(page, 'consumer-contract');

    expect(await page.inputValue('#start-transfer input[name=purpose]')).to.equal('scientific-research');
    expect(await page.inputValue('#start-transfer input[name=place]')).to.equal('CN');
    await page.click('#start-transfer button');
    await until(page, '#transfer-state', 'STARTED');
    expect(await page.textContent('#timeline'))
      .to.include('REQUESTED')
      .and.include('STARTED');
    await look(page, 'consumer-transfer');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(await readFile(await download.path(), 'utf8')).to.equal(CONTENT);

    for (const name of ['contracts', 'transfers', 'products', 'membership', 'evidence']) {
      await page.goto(`${consumer.consoleUrl}/${name}`);
      await look(page, `consumer-${name}`);
    }
    await page.click('button:has-text("Verify the whole log")');
    expect(await page.textContent('[role=status]')).to.include('Every check passed');
  });

  it('speaks Chinese to a zh-CN browser, and switches language on request', async () => {
    const page = await signedIn(consumer, 'zh-CN').catch(() => undefined);
    // Signed in with a Chinese browser, the sign-in page's own redirect still lands on Discover.
    const p = page ?? (await browser.newPage());
    expect(await p.getAttribute('html', 'lang')).to.equal('zh-CN');
    expect(await p.textContent('header nav'))
      .to.include('发现')
      .and.include('合约')
      .and.include('传输');
    await look(p, 'consumer-discover-zh');
    await p.goto(`${consumer.consoleUrl}/transfers`);
    await look(p, 'consumer-transfers-zh');
    // States, terms and usage left in Chinese, with the protocol's state name beside the translation.
    await p.click('#transfers tr[data-transfer] a');
    expect(await p.textContent('#transfer-state'))
      .to.include('传输中')
      .and.include('STARTED');
    expect(await p.textContent('#usage-left')).to.match(/剩余|不限使用次数/);
    await look(p, 'consumer-transfer-zh');
    await p.goto(`${consumer.consoleUrl}/contracts`);
    await p.click('#negotiations tr[data-negotiation] a');
    expect(await p.textContent('#negotiation-state')).to.include('已生效');
    expect(await p.textContent('#terms'))
      .to.include('仅限用途：科学研究')
      .and.include('使用地点：中国 (CN)');
    await look(p, 'consumer-contract-zh');
    await p.click('#lang-switch');
    expect(await p.getAttribute('html', 'lang')).to.equal('en');
    expect(await p.textContent('header nav')).to.include('Transfers');
  });
});
