// The web console in a real headless browser (Debian's chromium through playwright-core): search with
// facets and dataset detail as an anonymous visitor, then an admin signs in, approves an application,
// suspends a member and sees the crawl status. The console is served by a real authority on 127.0.0.1
// whose federated catalog crawled real connectors.
import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { assetInput, medicalContract, MEDICAL_ACCESS, publish, startMember } from '../dsp/helpers.js';

const CHROMIUM = '/usr/bin/chromium';

const OPEN_ACCESS = { uid: 'urn:test:access:everyone', permission: [{ action: 'read' }] };

describe('console: search and administration in a real browser', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let hospital: ControlPlaneConnector;
  let browser: Browser;
  let page: Page;
  let applicant: ControlPlaneConnector;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // CI installs Debian's chromium (.ci/run); a developer machine without it skips, visibly.
      console.warn(
        `    (skipped: ${CHROMIUM} is not installed; "apt-get install chromium" to run the browser tests)`,
      );
      this.skip();
    }
    space = await startLocalDataSpace();
    hospital = await startMember(space, 'hospital', hospitalApplication());
    await publish(
      hospital,
      [
        assetInput('urn:dataset:open-visits', hospital.did, {
          title: 'Outpatient visit counts (open)',
          keywords: ['visits', 'open data'],
        }),
        assetInput('urn:dataset:medical-only', hospital.did, {
          title: 'Ward occupancy (medical members only)',
          keywords: ['wards'],
          dataGrade: 'important',
        }),
      ],
      [
        {
          id: 'open',
          assetSelector: { assetIds: ['urn:dataset:open-visits'] },
          accessPolicy: OPEN_ACCESS,
          contractPolicy: medicalContract(),
        },
        {
          id: 'medical',
          assetSelector: { assetIds: ['urn:dataset:medical-only'] },
          accessPolicy: MEDICAL_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
    await space.authority.federation.crawlNow();
    // A participant whose application waits for the admins.
    applicant = (await space.startConnector('bank')) as ControlPlaneConnector;
    await applicant.authority.apply(bankApplication());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await space?.close();
  });

  it('lets anyone search, filter by a facet and read an offer in plain words', async () => {
    await page.goto(`${space.authority.admin.url}/console`);
    expect((await page.textContent('#result-count'))?.trim()).to.match(/^1 dataset$/);
    expect(await page.textContent('body'))
      .to.include('Outpatient visit counts (open)')
      .and.not.include('Ward occupancy');

    await page.fill('input[name=q]', 'visits');
    await page.click('button:has-text("Search")');
    expect((await page.textContent('#result-count'))?.trim()).to.equal('1 dataset');

    await page.click('a[data-facet=sector]');
    expect(page.url()).to.include('sector=medical');
    expect((await page.textContent('#result-count'))?.trim()).to.equal('1 dataset');

    await page.click('text=Outpatient visit counts (open)');
    expect(await page.textContent('h1')).to.equal('Outpatient visit counts (open)');
    const offer = await page.textContent('.offer');
    expect(offer).to.include('Who may use it').and.include('medical sector').and.include('Until when');
  });

  it('signs an admin in, who then sees every dataset', async () => {
    await page.goto(`${space.authority.admin.url}/console/login`);
    await page.fill('input[name=key]', 'shuyu_admin_wrong');
    await page.click('button:has-text("Sign in")');
    expect(await page.textContent('[role=alert]')).to.include('not a valid admin API key');

    await page.fill('input[name=key]', space.adminKey);
    await page.click('button:has-text("Sign in")');
    expect(page.url()).to.match(/\/console\/admin$/);
    await page.goto(`${space.authority.admin.url}/console`);
    expect((await page.textContent('#result-count'))?.trim()).to.equal('2 datasets');
  });

  it('approves a pending application from the queue', async () => {
    await page.goto(`${space.authority.admin.url}/console/admin`);
    const row = page.locator('#applications tr', { hasText: 'Haidian Commercial Bank' });
    await row.locator('select[name=grade]').selectOption('JR-L2');
    await row.locator('button:has-text("Approve")').click();
    expect(await page.textContent('[role=status]')).to.include(
      'Approved Haidian Commercial Bank: 3 credentials issued',
    );
    const member = await space.authority.service.member(applicant.did);
    expect(member).to.include({ state: 'active', dataGradeClearance: 'JR-L2' });
  });

  it('suspends a member with a reason, shown in the table and the audit log', async () => {
    const row = page.locator(`#members tr[data-member="${hospital.did}"]`);
    await row.locator('input[name=reason]').first().fill('security audit overdue');
    await row.locator('button:has-text("Suspend")').click();
    expect(await page.textContent('[role=status]')).to.include('is now suspended');
    expect(await page.locator(`#members tr[data-member="${hospital.did}"] .state`).textContent()).to.include(
      'suspended',
    );
    expect(await page.textContent('#audit')).to.include('member.suspend');
    // A suspended member's datasets leave the catalog at once.
    await page.goto(`${space.authority.admin.url}/console`);
    expect((await page.textContent('#result-count'))?.trim()).to.equal('0 datasets');
  });

  it('asks before revoking a member, on a page of its own', async () => {
    await page.goto(`${space.authority.admin.url}/console/admin`);
    const row = page.locator(`#members tr[data-member="${applicant.did}"]`);
    await row.locator('form.revoke input[name=reason]').fill('left the data space');
    await row.locator('form.revoke button').click();
    // Nothing is revoked yet: the confirmation page asks.
    expect(await page.textContent('h1')).to.include('Revoke Haidian Commercial Bank?');
    expect((await space.authority.service.member(applicant.did))?.state).to.equal('active');
    await page.click('#confirm-revoke button');
    expect(await page.textContent('[role=status]')).to.include('is now revoked');
    expect((await space.authority.service.member(applicant.did))?.state).to.equal('revoked');
  });

  it('fits a phone screen (390 px) without horizontal overflow, in Chinese too', async () => {
    mkdirSync('test-artifacts/console', { recursive: true });
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    try {
      for (const path of ['/console', '/console/login', '/console/products']) {
        await phone.goto(`${space.authority.admin.url}${path}`);
        expect(await phone.getAttribute('html', 'lang')).to.equal('zh-CN');
        expect(
          await phone.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'),
          path,
        ).to.equal(true);
        await phone.screenshot({
          path: `test-artifacts/console/authority${path.replaceAll('/', '-')}-phone.png`,
        });
      }
      expect(await phone.textContent('header')).to.include('目录');
      // The hospital is suspended: an anonymous visitor finds nothing, and is told why.
      await phone.goto(`${space.authority.admin.url}/console`);
      expect((await phone.textContent('#result-count'))?.trim()).to.equal('0 个数据集');
      expect(await phone.textContent('#why-empty')).to.include('匿名访客');
      // The admin pages, signed in, at the same size.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${space.authority.admin.url}/console/admin`);
      expect(
        await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'),
      ).to.equal(true);
      expect(await page.locator('button:has-text("Sign out")').isVisible()).to.equal(true);
      await page.screenshot({ path: 'test-artifacts/console/authority-admin-phone.png', fullPage: true });
      await page.setViewportSize({ width: 1366, height: 900 });
      // In Chinese, member states and sectors are translated, the protocol's state name beside them.
      const lang = (value: string) =>
        page.context().addCookies([{ name: 'shuyu_lang', value, url: space.authority.admin.url }]);
      await lang('zh-CN');
      await page.goto(`${space.authority.admin.url}/console/admin`);
      expect(await page.textContent('#members'))
        .to.include('已暂停')
        .and.include('suspended')
        .and.include('医疗');
      await lang('en');
    } finally {
      await phone.close();
    }
  });

  it('shows the crawl status and crawls on demand', async () => {
    await page.goto(`${space.authority.admin.url}/console/admin`);
    expect(await page.textContent('#crawl')).to.include('Beijing Research Hospital');
    await page.click('button:has-text("Crawl now")');
    expect(await page.textContent('[role=status]')).to.match(/Crawl finished: \d+ members/);
  });
});
