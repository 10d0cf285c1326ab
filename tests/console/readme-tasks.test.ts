// Every participant, admin and policy-author task that README.md and the docs it links to show, done in
// the consoles (real HTTP against real connectors and a real authority, in order: join, publish, search,
// negotiate, transfer, download, evidence, products, member decisions) and found in the CLI's command
// table. Each `shuyu GROUP SUB` those documents mention must be one of the tasks below or be named with a
// reason as not a console task (starting processes, offline file checks), so a task added to the README
// without a console page fails here. Every page a task used is then read again in Chinese.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../cli/main.js';
import { subcommandHelp } from '../../cli/spec.js';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { testProcessDatabase } from '../support/store.js';
import {
  bankApplication,
  hospitalApplication,
  startLocalDataSpace,
  USCC_A,
  USCC_B,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { FAST_OUTBOX, management, startMember, waitFor, waitForState } from '../dsp/helpers.js';
import { consoleSession, noticeAfter, type ConsoleSession } from './session.js';

type Role = 'participant' | 'admin' | 'policy author';

interface World {
  space: LocalDataSpace;
  provider: ControlPlaneConnector;
  consumer: ControlPlaneConnector;
  /** Not a member yet: joins through its console. */
  newcomer: ControlPlaneConnector;
  providerConsole: ConsoleSession;
  consumerConsole: ConsoleSession;
  newcomerConsole: ConsoleSession;
  admin: ConsoleSession;
  /** Filled in as the tasks run. */
  state: Record<string, string>;
}

interface Task {
  readonly task: string;
  readonly who: Role;
  /** `GROUP SUB` of the CLI command doing the same. */
  readonly cli: readonly string[];
  /** Does it in the console and checks it worked; answers the console paths it showed (for the zh pass). */
  readonly console: (w: World) => Promise<readonly Visit[]>;
}

/** A console page a task showed: on which console. */
interface Visit {
  readonly on: 'provider' | 'consumer' | 'newcomer' | 'authority';
  readonly path: string;
}

const CONTENT = 'ward,beds,occupied\n3-east,40,37\n';
const DATASET = 'urn:dataset:readme-wards';
const SPARE = 'urn:dataset:readme-spare';
const TEMPLATE = (): string => readFileSync('policies/templates/medical.json', 'utf8');
const PERMIT = (): string => readFileSync('policies/templates/requests/medical-permit.json', 'utf8');

const enc = encodeURIComponent;

/** The value of the first `name="…" value="…"` hidden field after `marker` in `page`. */
function hidden(page: string, marker: string, name: string): string {
  const at = page.indexOf(marker);
  expect(at, `${marker} on the page`).to.be.greaterThan(-1);
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(page.slice(at))?.[1];
  expect(value, `${name} after ${marker}`).to.be.a('string');
  return (value ?? '').replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"');
}

function productForm(name: string, dataset: string): Record<string, string> {
  return {
    nameZh: `${name}（中文）`,
    nameEn: name,
    dataSourceZh: '医院信息系统',
    dataSourceEn: 'Hospital information system',
    scopeZh: '北京',
    scopeEn: 'Beijing',
    updateFrequency: 'daily',
    dataGrade: 'general',
    complianceZh: '已评估',
    complianceEn: 'Assessed',
    assessor: 'Beijing Data Compliance Ltd.',
    assessedOn: '2026-01-15',
    datasetIds: dataset,
  };
}

const TASKS: readonly Task[] = [
  {
    task: 'apply for membership of the data space',
    who: 'participant',
    cli: ['member apply'],
    console: async (w) => {
      const applied = await w.newcomerConsole.post('/console/membership/apply', {
        organisation: 'Haidian Commercial Bank',
        registration: USCC_B,
        sector: 'finance',
        roles: 'bank',
        contact: '+86 10 0000 0000',
        grade: 'JR-L3',
      });
      expect(await noticeAfter(w.newcomerConsole, applied)).to.match(/Applied: application .+ is pending/);
      expect(await w.newcomerConsole.get('/console/membership')).to.include('Haidian Commercial Bank');
      return [{ on: 'newcomer', path: '/console/membership' }];
    },
  },
  {
    task: 'list applications and members',
    who: 'admin',
    cli: ['member list'],
    console: async (w) => {
      const page = await w.admin.get('/console/admin');
      expect(page).to.include('Haidian Commercial Bank').and.include('Beijing Research Hospital');
      w.state.application = /<tr data-application="([^"]+)"/.exec(page)?.[1] ?? '';
      expect(w.state.application).to.not.equal('');
      return [{ on: 'authority', path: '/console/admin' }];
    },
  },
  {
    task: 'approve an application',
    who: 'admin',
    cli: ['member approve'],
    console: async (w) => {
      const approved = await w.admin.post('/console/admin/applications/approve', {
        id: w.state.application!,
        grade: 'JR-L2',
      });
      expect(await noticeAfter(w.admin, approved)).to.include('Approved Haidian Commercial Bank');
      return [];
    },
  },
  {
    task: 'collect the credentials into the wallet',
    who: 'participant',
    cli: ['wallet collect'],
    console: async (w) => {
      const collected = await w.newcomerConsole.post('/console/membership/collect', {});
      expect(await noticeAfter(w.newcomerConsole, collected)).to.match(/Collected [1-9]\d* credentials/);
      return [];
    },
  },
  {
    task: 'list the wallet',
    who: 'participant',
    cli: ['wallet list'],
    console: async (w) => {
      const page = await w.newcomerConsole.get('/console/membership');
      expect(page).to.include('MembershipCredential').and.include(w.space.authority.did);
      return [{ on: 'newcomer', path: '/console/membership' }];
    },
  },
  {
    task: 'reject an application, with a reason',
    who: 'admin',
    cli: ['member reject'],
    console: async (w) => {
      const applicant = await w.space.startConnector('applicant');
      const applied = await applicant.authority.apply(
        bankApplication({ organisationName: 'Xicheng Savings Bank', registrationNumber: USCC_A }),
      );
      const rejected = await w.admin.post('/console/admin/applications/reject', {
        id: String(applied.id),
        reason: 'incomplete registration documents',
      });
      expect(await noticeAfter(w.admin, rejected)).to.include('Rejected Xicheng Savings Bank');
      return [];
    },
  },
  {
    task: 'suspend a member, reinstate it, and revoke it after confirming',
    who: 'admin',
    cli: ['member suspend', 'member reinstate', 'member revoke'],
    console: async (w) => {
      const did = w.newcomer.did;
      const suspended = await w.admin.post('/console/admin/members/suspend', {
        did,
        reason: 'audit overdue',
      });
      expect(await noticeAfter(w.admin, suspended)).to.include('is now suspended');
      const reinstated = await w.admin.post('/console/admin/members/reinstate', { did });
      expect(await noticeAfter(w.admin, reinstated)).to.include('is now active');
      // Revocation asks first, on a page of its own; nothing is revoked until confirmed.
      const asked = await w.admin.post('/console/admin/members/revoke', { did, reason: 'left' });
      expect(asked.status).to.equal(200);
      expect(await asked.text()).to.include('Revoke Haidian Commercial Bank?');
      expect((await w.space.authority.service.member(did))?.state).to.equal('active');
      const revoked = await w.admin.post('/console/admin/members/revoke', {
        did,
        reason: 'left',
        confirm: 'yes',
      });
      expect(await noticeAfter(w.admin, revoked)).to.include('is now revoked');
      return [];
    },
  },
  {
    task: 'read the sector templates with the engine’s explanation of a sample request',
    who: 'policy author',
    cli: ['policy demo'],
    console: async (w) => {
      const page = await w.providerConsole.get('/console/publish?template=medical');
      expect(page).to.include('urn:shuyu:template:medical:research-use');
      const answer = await w.providerConsole.post('/console/publish/policy-evaluate', {
        policy: TEMPLATE(),
        request: PERMIT(),
      });
      const text = await answer.text();
      expect(text).to.include('id="decision"').and.include('id="explanation"');
      return [{ on: 'provider', path: '/console/publish?template=medical' }];
    },
  },
  {
    task: 'check a policy and see its problems',
    who: 'policy author',
    cli: ['policy check'],
    console: async (w) => {
      const good = await (
        await w.providerConsole.post('/console/publish/policy-evaluate', { policy: TEMPLATE() })
      ).text();
      expect(good).to.include('The policy compiles.');
      const bad = await (
        await w.providerConsole.post('/console/publish/policy-evaluate', {
          policy: '{"permission": [{"action": "use", "constraint": [{"leftOperand": "purpose"}]}]}',
        })
      ).text();
      expect(bad).to.include('The policy has errors.').and.include('/permission/0/constraint/0');
      return [];
    },
  },
  {
    task: 'evaluate a request against a policy, with the explanation',
    who: 'policy author',
    cli: ['policy eval'],
    console: async (w) => {
      const deny = readFileSync('policies/templates/requests/medical-deny.json', 'utf8');
      const text = await (
        await w.providerConsole.post('/console/publish/policy-evaluate', {
          policy: TEMPLATE(),
          request: deny,
          until: '2099-01-01',
        })
      ).text();
      expect(/id="decision">([^<]+)</.exec(text)?.[1]).to.not.equal('permit');
      expect(text).to.include('id="explanation"');
      return [];
    },
  },
  {
    task: 'add an asset (a file uploaded into the files folder)',
    who: 'participant',
    cli: ['asset add'],
    console: async (w) => {
      for (const [id, title] of [
        [DATASET, 'Ward occupancy'],
        [SPARE, 'Spare beds'],
      ] as const) {
        const form = new FormData();
        for (const [k, v] of Object.entries({
          id,
          title,
          description: 'Daily ward occupancy',
          keywords: 'wards',
          sector: 'medical',
          dataGrade: 'general',
          format: 'text/csv',
          licence: 'https://licences.example/research',
          source: 'file',
        }))
          form.set(k, v);
        form.set('file', new Blob([CONTENT], { type: 'text/csv' }), `${id.split(':').pop()}.csv`);
        const added = await w.providerConsole.postMultipart('/console/publish/assets', form);
        expect(await noticeAfter(w.providerConsole, added)).to.include(`Asset ${id} added`);
      }
      return [{ on: 'provider', path: '/console/publish' }];
    },
  },
  {
    task: 'publish an offer from a sector template',
    who: 'participant',
    cli: ['offer add'],
    console: async (w) => {
      const published = await w.providerConsole.post('/console/publish/offers', {
        id: 'readme-research',
        assets: `${DATASET}, ${SPARE}`,
        access: 'members',
        approval: 'automatic',
        until: '2099-01-01',
        policy: TEMPLATE(),
      });
      expect(await noticeAfter(w.providerConsole, published)).to.include('Offer readme-research published');
      return [];
    },
  },
  {
    task: 'list assets and offers',
    who: 'participant',
    cli: ['asset list', 'offer list'],
    console: async (w) => {
      const page = await w.providerConsole.get('/console/publish');
      expect(page).to.include(`data-asset="${DATASET}"`).and.include('data-offer="readme-research"');
      return [];
    },
  },
  {
    task: 'crawl the federated catalog now and see each member’s crawl',
    who: 'admin',
    cli: ['catalog crawl', 'catalog status'],
    console: async (w) => {
      const crawled = await w.admin.post('/console/admin/crawl', {});
      expect(await noticeAfter(w.admin, crawled)).to.match(/Crawl finished: \d+ members/);
      const page = await w.admin.get('/console/admin');
      expect(/<table id="crawl">([\s\S]*?)<\/table>/.exec(page)?.[1]).to.include('Beijing Research Hospital');
      return [];
    },
  },
  {
    task: 'search the federated catalog as this member',
    who: 'participant',
    cli: ['catalog search'],
    console: async (w) => {
      const page = await w.consumerConsole.get('/console/discover?q=ward');
      expect(page).to.include('Ward occupancy').and.include('scientific research');
      w.state.offerId = hidden(page, 'Ward occupancy', 'offerId');
      return [{ on: 'consumer', path: '/console/discover?q=ward' }];
    },
  },
  {
    task: 'read another connector’s DSP catalog and one of its datasets',
    who: 'participant',
    cli: ['catalog request', 'catalog dataset'],
    console: async (w) => {
      const path = `/console/discover/connector?address=${enc(`${w.provider.url}/dsp`)}&did=${enc(w.provider.did)}`;
      const page = await w.consumerConsole.get(path);
      expect(page).to.include('Ward occupancy').and.include('Spare beds');
      return [{ on: 'consumer', path }];
    },
  },
  {
    task: 'negotiate an offer, declaring purpose and place',
    who: 'participant',
    cli: ['negotiate start'],
    console: async (w) => {
      const started = await w.consumerConsole.post('/console/negotiate', {
        address: `${w.provider.url}/dsp`,
        did: w.provider.did,
        datasetId: DATASET,
        offerId: w.state.offerId!,
        purpose: 'scientific-research',
        place: 'CN',
      });
      expect(await noticeAfter(w.consumerConsole, started)).to.include('Negotiation started');
      const id = /\/console\/contracts\/([^?]+)/.exec(started.headers.get('location') ?? '')?.[1] ?? '';
      w.state.negotiation = decodeURIComponent(id);
      const done = await waitForState(w.consumer, `/negotiations/${id}`, 'FINALIZED');
      w.state.agreement = String(done.agreementId);
      return [];
    },
  },
  {
    task: 'follow negotiations: states with their dates, the agreement with both signatures',
    who: 'participant',
    cli: ['negotiate list', 'negotiate get'],
    console: async (w) => {
      expect(await w.consumerConsole.get('/console/contracts')).to.include(
        `data-negotiation="${w.state.negotiation!}"`,
      );
      const path = `/console/contracts/${enc(w.state.negotiation!)}`;
      const page = await w.consumerConsole.get(path);
      expect(page).to.include('id="agreement"').and.include(w.state.agreement!);
      expect(page).to.match(/data-state="FINALIZED"[^>]*>\s*FINALIZED ·\s*<time datetime=/);
      return [
        { on: 'consumer', path: '/console/contracts' },
        { on: 'consumer', path },
      ];
    },
  },
  {
    task: 'start a transfer declaring purpose and place',
    who: 'participant',
    cli: ['transfer start'],
    console: async (w) => {
      const started = await w.consumerConsole.post('/console/transfers/start', {
        agreementId: w.state.agreement!,
        purpose: 'scientific-research',
        place: 'CN',
        format: 'HttpData-PULL',
      });
      expect(await noticeAfter(w.consumerConsole, started)).to.include('Transfer requested');
      const id = /\/console\/transfers\/(.+)$/.exec(started.headers.get('location') ?? '')?.[1] ?? '';
      w.state.transfer = decodeURIComponent(id);
      await waitForState(w.consumer, `/transfers/${id}`, 'STARTED');
      return [
        { on: 'consumer', path: '/console/transfers' },
        { on: 'consumer', path: `/console/transfers/${id}` },
      ];
    },
  },
  {
    task: 'download the data',
    who: 'participant',
    cli: ['transfer fetch'],
    console: async (w) => {
      const answer = await w.consumerConsole.fetch(`/console/transfers/${enc(w.state.transfer!)}/download`);
      expect(answer.status).to.equal(200);
      expect(await answer.text()).to.equal(CONTENT);
      return [];
    },
  },
  {
    task: 'suspend, resume and complete a transfer',
    who: 'participant',
    cli: ['transfer suspend', 'transfer resume', 'transfer complete'],
    console: async (w) => {
      const base = `/console/transfers/${enc(w.state.transfer!)}`;
      for (const [action, state] of [
        ['suspend', 'SUSPENDED'],
        ['resume', 'STARTED'],
        ['complete', 'COMPLETED'],
      ] as const) {
        await waitFor(`the transfer to take ${action}`, async () => {
          const answer = await w.consumerConsole.post(`${base}/${action}`, { reason: 'readme task' });
          const notice = await noticeAfter(w.consumerConsole, answer);
          return notice.includes('Done:') ? notice : undefined;
        });
        await waitForState(w.consumer, `/transfers/${enc(w.state.transfer!)}`, state);
      }
      return [];
    },
  },
  {
    task: 'list one agreement’s evidence, its negotiation’s and transfers’ included',
    who: 'participant',
    cli: ['evidence list'],
    console: async (w) => {
      const path = `/console/evidence?subject=${enc(w.state.agreement!)}`;
      const page = await w.consumerConsole.get(path);
      const table = /<table id="evidence">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
      for (const kind of ['agreement', 'agreement-verification', 'negotiation-state', 'transfer-state'])
        expect(table, kind).to.include(`<td>${kind}</td>`);
      return [{ on: 'consumer', path }];
    },
  },
  {
    task: 'export the evidence log and verify it',
    who: 'participant',
    cli: ['evidence export', 'evidence verify'],
    console: async (w) => {
      const exported = await w.consumerConsole.fetch('/console/evidence/export');
      expect(exported.status).to.equal(200);
      const body = (await exported.json()) as Record<string, unknown>;
      expect(JSON.stringify(body)).to.include(w.state.agreement!);
      const verified = await w.consumerConsole.post('/console/evidence/verify', {});
      expect(await noticeAfter(w.consumerConsole, verified)).to.include('Every check passed');
      return [{ on: 'consumer', path: '/console/evidence' }];
    },
  },
  {
    task: 'prove one entry with its inclusion proof',
    who: 'participant',
    cli: ['evidence prove'],
    console: async (w) => {
      const page = await w.consumerConsole.get('/console/evidence/0');
      expect(page).to.include('id="proof"').and.include('inclusion');
      return [{ on: 'consumer', path: '/console/evidence/0' }];
    },
  },
  {
    task: 'apply for registration of a data product',
    who: 'participant',
    cli: ['product apply'],
    console: async (w) => {
      for (const [name, dataset] of [
        ['Ward occupancy statistics', DATASET],
        ['Spare bed statistics', SPARE],
      ] as const) {
        const applied = await w.providerConsole.post('/console/products', productForm(name, dataset));
        expect(await noticeAfter(w.providerConsole, applied)).to.match(/is pending/);
      }
      return [{ on: 'provider', path: '/console/products' }];
    },
  },
  {
    task: 'review product applications: register one, reject one with a reason',
    who: 'admin',
    cli: ['product pending', 'product approve', 'product reject'],
    console: async (w) => {
      const page = await w.admin.get('/console/admin');
      const ids = [...page.matchAll(/data-product-application="([^"]+)"/g)].map((m) => m[1]!);
      expect(ids).to.have.length(2);
      const approved = await w.admin.post('/console/admin/products/approve', { id: ids[0]! });
      expect(await noticeAfter(w.admin, approved)).to.match(/Registered .+ as SY-/);
      const rejected = await w.admin.post('/console/admin/products/reject', {
        id: ids[1]!,
        reason: 'scope too vague',
      });
      expect(await noticeAfter(w.admin, rejected)).to.include('scope too vague');
      return [{ on: 'authority', path: '/console/products' }];
    },
  },
  {
    task: 'see our product registrations and their decisions',
    who: 'participant',
    cli: ['product list', 'product show'],
    console: async (w) => {
      const page = await w.providerConsole.get('/console/products');
      expect(page).to.match(/class="product-id">SY-/);
      expect(page).to.include('scope too vague');
      return [];
    },
  },
  {
    task: 'remove an offer and an asset',
    who: 'participant',
    cli: ['offer remove', 'asset remove'],
    console: async (w) => {
      const offer = await w.providerConsole.post('/console/publish/offers/remove', { id: 'readme-research' });
      expect(await noticeAfter(w.providerConsole, offer)).to.include('Offer readme-research removed');
      const asset = await w.providerConsole.post('/console/publish/assets/remove', { id: SPARE });
      expect(await noticeAfter(w.providerConsole, asset)).to.include(`Asset ${SPARE} removed`);
      expect((await management(w.provider).get(`/assets/${enc(SPARE)}`)).status).to.equal(404);
      return [];
    },
  },
];

/** Commands the documents show that are not console tasks, and why. */
const NOT_CONSOLE_TASKS: Readonly<Record<string, string>> = {
  start: 'starts the local data space (processes), before any console exists',
  demo: 'a scripted story on fresh ports',
  help: 'the CLI’s own help',
  'authority init': 'creates the authority’s directory and keys before it runs',
  'authority start': 'starts the authority process',
  'connector start': 'starts a connector process (the console lives inside it)',
  'store migrate': 'database migration of a stopped process',
  'credential verify': 'an offline check of a credential file by anyone, with no process running',
};

/** README.md and the docs it links to. */
function documents(): { name: string; text: string }[] {
  const readme = readFileSync('README.md', 'utf8');
  const linked = [...new Set([...readme.matchAll(/\]\((docs\/[a-z-]+\.md)[)#]/g)].map((m) => m[1]!))];
  return [
    { name: 'README.md', text: readme },
    ...linked.map((name) => ({ name, text: readFileSync(join(name), 'utf8') })),
  ];
}

const GROUPS = new Map(COMMANDS.map((c) => [c.group.name, c.group]));

describe('README tasks: each one in the console and in the CLI', function () {
  this.timeout(120_000);
  const world = {} as World;
  const visits: Visit[] = [];

  before(async () => {
    world.state = {};
    world.space = await startLocalDataSpace();
    world.provider = await startMember(world.space, 'provider', hospitalApplication());
    world.consumer = await startMember(
      world.space,
      'consumer',
      hospitalApplication({ organisationName: 'Haidian Clinic 海淀诊所', registrationNumber: USCC_B }),
    );
    // A connector that has not joined yet: it applies from its console.
    world.newcomer = await startControlPlaneConnector({
      dataDir: join(world.space.dir, 'newcomer'),
      port: 0,
      authorityUrl: world.space.authority.url,
      ...(await testProcessDatabase(join(world.space.dir, 'newcomer'))),
      controlPlane: { outbox: FAST_OUTBOX },
    });
    world.space.connectors.push(world.newcomer);
    const signIn = (c: ControlPlaneConnector) =>
      consoleSession(c.consoleUrl.replace(/\/console$/, ''), c.managementApiKey);
    world.providerConsole = await signIn(world.provider);
    world.consumerConsole = await signIn(world.consumer);
    world.newcomerConsole = await signIn(world.newcomer);
    world.admin = await consoleSession(world.space.authority.admin.url, world.space.adminKey);
  });

  after(async () => {
    await world.space?.close();
  });

  it('covers every shuyu command that README.md and its linked docs show', () => {
    const covered = new Set(TASKS.flatMap((t) => t.cli));
    const missing: string[] = [];
    for (const { name, text } of documents()) {
      for (const [, group = '', sub = ''] of text.matchAll(/\bshuyu ([a-z]+)(?: ([a-z]+))?/g)) {
        const command = GROUPS.get(group);
        if (group in NOT_CONSOLE_TASKS) continue;
        if (command === undefined) {
          missing.push(`${name}: "shuyu ${group}" is no command`);
          continue;
        }
        const named = sub in command.subcommands ? `${group} ${sub}` : '';
        if (named === '') continue; // the group named as a whole ("the shuyu member commands")
        if (!covered.has(named) && !(named in NOT_CONSOLE_TASKS))
          missing.push(`${name}: "shuyu ${named}" is no console task here`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('has a CLI command with its own help for every task', () => {
    for (const task of TASKS) {
      for (const command of task.cli) {
        const [group = '', sub = ''] = command.split(' ');
        const declared = GROUPS.get(group);
        expect(declared?.subcommands, `shuyu ${command}`).to.have.property(sub);
        expect(subcommandHelp(declared!, sub)).to.include(`Usage: shuyu ${command}`);
      }
    }
  });

  for (const task of TASKS) {
    it(`${task.who}: ${task.task} (shuyu ${task.cli.join(', shuyu ')})`, async () => {
      visits.push(...(await task.console(world)));
    });
  }

  it('shows every page those tasks used in Chinese too', async () => {
    expect(visits.length).to.be.greaterThan(10);
    const zh = {
      provider: await consoleSession(
        world.provider.consoleUrl.replace(/\/console$/, ''),
        world.provider.managementApiKey,
        { lang: 'zh-CN' },
      ),
      consumer: await consoleSession(
        world.consumer.consoleUrl.replace(/\/console$/, ''),
        world.consumer.managementApiKey,
        { lang: 'zh-CN' },
      ),
      newcomer: await consoleSession(
        world.newcomer.consoleUrl.replace(/\/console$/, ''),
        world.newcomer.managementApiKey,
        { lang: 'zh-CN' },
      ),
      authority: await consoleSession(world.space.authority.admin.url, world.space.adminKey, {
        lang: 'zh-CN',
      }),
    };
    for (const visit of visits) {
      const answer = await zh[visit.on].fetch(visit.path);
      expect(answer.status, `${visit.on} ${visit.path}`).to.equal(200);
      const page = await answer.text();
      expect(page, visit.path).to.include('<html lang="zh-CN"');
      // The page's own title (before "· 数语") is Chinese.
      const title = /<title>([\s\S]*?) · /.exec(page)?.[1] ?? '';
      expect(title, visit.path).to.match(/[\u4e00-\u9fff]/);
    }
  });
});
