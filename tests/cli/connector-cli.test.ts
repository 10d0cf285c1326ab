// `shuyu connector start` as a real child process, then the participant commands against it: apply,
// collect credentials, publish an asset and an offer, and from a second member: catalog, negotiate,
// transfer — all through the CLI and the management API.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { bankApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { startMember } from '../dsp/helpers.js';

function capture(): Output & { text(): string } {
  const lines: string[] = [];
  return { line: (t = '') => lines.push(t), error: (t) => lines.push(t), text: () => lines.join('\n') };
}

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, text: io.text() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cli: connector start and the participant commands', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let child: ChildProcess;
  let output = '';
  let dir: string;
  let consumer: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace();
    dir = join(space.dir, 'hospital');
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/entry.ts',
        'connector',
        'start',
        '--dir',
        dir,
        '--port',
        '0',
        '--authority',
        space.authority.url,
        '--log-level',
        'info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until('the connector to listen', async () => (/listening on/.test(output) ? true : undefined));
    consumer = await startMember(space, 'bank', bankApplication());
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    await space?.close();
  });

  it('records its settings, so the next start keeps the same URL and DID', () => {
    const config = JSON.parse(readFileSync(join(dir, 'connector.json'), 'utf8')) as {
      publicUrl: string;
      port: number;
    };
    expect(config.publicUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(config.port).to.be.greaterThan(0);
    expect(output).to.include(`listening on ${config.publicUrl}`);
    expect(existsSync(join(dir, 'management-api-key'))).to.equal(true);
    expect(output).to.match(/wallet: empty/);
  });

  it('refuses a bad --automation before starting, naming the step', async () => {
    const other = join(space.dir, 'misconfigured');
    const args = ['connector', 'start', '--dir', other, '--port', '0', '--authority', space.authority.url];
    const typo = await run([...args, '--automation', 'finalise=manual']);
    expect(typo.code).to.equal(2);
    expect(typo.text).to.include('--automation.finalise is not an automation step');
    const mode = await run([...args, '--automation', 'verify=later']);
    expect(mode.code).to.equal(2);
    expect(mode.text).to.include('--automation.verify must be "auto" or "manual"');
    expect(existsSync(join(other, 'connector.json'))).to.equal(false);
  });

  it('applies, collects credentials after approval, and publishes an asset and an offer', async () => {
    const applied = await run([
      'member',
      'apply',
      '--connector-dir',
      dir,
      '--organisation',
      'Beijing Research Hospital',
      '--registration',
      '91440300708461136T',
      '--sector',
      'medical:hospital',
      '--grade',
      'important',
      '--contact',
      'data@hospital.example',
    ]);
    expect(applied.code, applied.text).to.equal(0);
    const applicationId = /application (urn:uuid:[0-9a-f-]+)/.exec(applied.text)?.[1];
    expect(applied.text).to.include(`shuyu wallet collect --dir ${dir}`);
    // The admin approves from the CLI; the member's connector is on this machine, so its wallet collects.
    process.env.SHUYU_ADMIN_KEY = space.adminKey;
    let approved: { code: number; text: string };
    try {
      approved = await run([
        'member',
        'approve',
        String(applicationId),
        '--admin-url',
        space.authority.admin.url,
        '--connector-dir',
        dir,
      ]);
    } finally {
      delete process.env.SHUYU_ADMIN_KEY;
    }
    expect(approved.code, approved.text).to.equal(0);
    expect(approved.text)
      .to.include(`Collected into the wallet of ${dir}: `)
      .and.include('MembershipCredential');
    const collected = await run(['wallet', 'collect', '--dir', dir]);
    expect(collected.code, collected.text).to.equal(0);
    expect(collected.text).to.match(/Collected 3 credential/);

    const assetFile = join(space.dir, 'asset.json');
    writeFileSync(
      assetFile,
      JSON.stringify({
        id: 'urn:dataset:cli-visits',
        title: 'Visits published from the CLI',
        description: 'A small test dataset.',
        keywords: ['visits'],
        sector: 'medical',
        dataGrade: 'general',
        format: 'text/csv',
        licence: 'https://w3id.org/shuyu/licences/research-only',
        publisher: 'Beijing Research Hospital',
        dataAddress: { kind: 'inline', data: 'a,b\n1,2\n' },
      }),
    );
    expect((await run(['asset', 'add', assetFile, '--dir', dir])).code).to.equal(0);
    const offerFile = join(space.dir, 'offer.json');
    const member = {
      leftOperand: 'shuyu:credentialType',
      operator: 'hasPart',
      rightOperand: 'MembershipCredential',
    };
    writeFileSync(
      offerFile,
      JSON.stringify({
        id: 'members',
        assetSelector: { assetIds: ['urn:dataset:cli-visits'] },
        accessPolicy: { uid: 'urn:test:access', permission: [{ action: 'read', constraint: [member] }] },
        contractPolicy: {
          '@type': 'Offer',
          uid: 'urn:test:contract',
          permission: [
            {
              action: 'use',
              constraint: [
                member,
                {
                  leftOperand: 'count',
                  operator: 'lteq',
                  rightOperand: { '@value': '2', '@type': 'xsd:integer' },
                },
              ],
            },
          ],
        },
      }),
    );
    const offer = await run(['offer', 'add', offerFile, '--dir', dir]);
    expect(offer.code, offer.text).to.equal(0);
    const listed = await run(['asset', 'list', '--dir', dir]);
    expect(listed.text).to.include('urn:dataset:cli-visits');

    // The federated catalog crawls the connector URL the application registered; the member finds it.
    await space.authority.federation.crawlNow();
    const found = await run(['catalog', 'search', 'published', '--dir', dir]);
    expect(found.code, found.text).to.equal(0);
    expect(found.text)
      .to.match(/1 dataset\(s\) you may see/)
      .and.include('Visits published from the CLI');
  });

  it('lets another member browse, negotiate and start a transfer from the CLI', async () => {
    const provider = JSON.parse(readFileSync(join(dir, 'connector.json'), 'utf8')) as { publicUrl: string };
    const providerDid = /Connector (did:web:\S+) listening/.exec(output)?.[1] ?? '';
    process.env.SHUYU_MANAGEMENT_KEY = consumer.managementApiKey;
    try {
      const as = ['--url', consumer.management.url, '--dir', join(space.dir, 'nowhere')];
      const catalog = await run([
        'catalog',
        'request',
        '--provider',
        `${provider.publicUrl}/dsp`,
        '--provider-did',
        providerDid,
        ...as,
      ]);
      expect(catalog.code, catalog.text).to.equal(0);
      expect(catalog.text)
        .to.include('urn:dataset:cli-visits')
        .and.include('urn:shuyu:offer:members:urn:dataset:cli-visits');

      const started = await run([
        'negotiate',
        'start',
        '--provider',
        `${provider.publicUrl}/dsp`,
        '--provider-did',
        providerDid,
        '--dataset',
        'urn:dataset:cli-visits',
        '--offer',
        'urn:shuyu:offer:members:urn:dataset:cli-visits',
        '--json',
        ...as,
      ]);
      expect(started.code, started.text).to.equal(0);
      // negotiate start waits for the agreement (progress goes to stderr, the record to stdout).
      const record = JSON.parse(started.text.slice(started.text.indexOf('{'))) as {
        id: string;
        state: string;
      };
      expect(record.state).to.equal('FINALIZED');
      const negotiationId = String(record.id);
      const agreementId = await until('FINALIZED', async () => {
        const got = await run(['negotiate', 'get', negotiationId, '--json', ...as]);
        const record = JSON.parse(got.text) as { state: string; agreementId?: string };
        return record.state === 'FINALIZED' ? record.agreementId : undefined;
      });
      // A step that is not ours to take now is refused with the state it is in.
      const refused = await run(['negotiate', 'finalize', negotiationId, ...as]);
      expect(refused.code).to.equal(1);
      expect(refused.text).to.include('(409)').and.include('FINALIZED');
      const transfer = await run(['transfer', 'start', '--agreement', String(agreementId), '--json', ...as]);
      expect(transfer.code, transfer.text).to.equal(0);
      const transferId = String(
        (JSON.parse(transfer.text.slice(transfer.text.indexOf('{'))) as { id: string }).id,
      );
      const startedTransfer = await until('STARTED', async () => {
        const got = await run(['transfer', 'get', transferId, ...as]);
        return /STARTED/.test(got.text) ? got.text : undefined;
      });
      expect(startedTransfer).to.match(/data endpoint: http:\/\/127\.0\.0\.1/);
      // The consumer streams the data to a file, as a user would.
      const out = join(space.dir, 'fetched.csv');
      const fetched = await run(['transfer', 'fetch', transferId, '--out', out, ...as]);
      expect(fetched.code, fetched.text).to.equal(0);
      expect(readFileSync(out, 'utf8')).to.equal('a,b\n1,2\n');
      // The provider says what is left with each pull; the connector keeps it on the transfer.
      expect(fetched.text).to.match(/Usage left: 1 of 2 uses, no time limit \(as the provider said at /);
      expect((await run(['transfer', 'get', transferId, ...as])).text).to.include('usage left: 1 of 2 uses');
      expect((await run(['transfer', 'list', ...as])).text).to.include('left: 1 of 2 uses');
      expect((await run(['transfer', 'fetch', transferId, '--out', out, ...as])).text).to.include(
        'Usage left: 0 of 2 uses',
      );
      const spent = await run(['transfer', 'fetch', transferId, '--out', out, ...as]);
      expect(spent.code).to.equal(1);
      expect(spent.text).to.include('Usage left: 0 of 2 uses').and.match(/count/);
      const notOurs = await run(['transfer', 'start', transferId, ...as]); // only the provider starts
      expect(notOurs.code).to.equal(1);
      expect(notOurs.text).to.include('(409)').and.include('STARTED');
      const done = await run(['transfer', 'complete', transferId, ...as]);
      expect(done.text).to.include('COMPLETED');
    } finally {
      delete process.env.SHUYU_MANAGEMENT_KEY;
    }
  });

  it('logs JSON lines on stderr (not a terminal): time, level, the connector and its DID, request ids', () => {
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const did = /Connector (\S+) listening/.exec(output)?.[1];
    const ready = lines.find((l) => String(l.msg).startsWith('connector ready'));
    expect(ready).to.include({ level: 'info', process: 'connector', did });
    expect(Date.parse(String(ready?.time))).to.be.closeTo(Date.now(), 120_000);
    // The provider's side of the negotiation above: state changes, made while serving the consumer's requests.
    const change = lines.find((l) => l.negotiation !== undefined && l.role === 'provider');
    expect(change).to.include({ level: 'info', did, from: null, to: 'REQUESTED' });
    expect(change?.requestId).to.be.a('string');
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).to.equal(0);
    expect(output).to.include('Connector stopped.');
  });

  it('explains that collecting needs the running connector (DCP issuance delivers to it)', async () => {
    const collected = await run(['wallet', 'collect', '--dir', dir]);
    expect(collected.code).to.not.equal(0);
    expect(collected.text).to.include('is not running');
    expect(collected.text).to.include("delivers credentials to the connector's Credential Service");
  });
});
