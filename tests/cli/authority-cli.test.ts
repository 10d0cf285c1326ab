// The admin and participant commands against a real authority and connector on 127.0.0.1:
// authority init, member apply/list/approve/reject/suspend/reinstate/revoke, wallet list, credential verify.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { startAuthority, type RunningAuthority } from '../../catalog/authority/process.js';
import { createPresentationJwt } from '../../connector/identity/index.js';
import { startConnector, type RunningConnector } from '../../connector/process/connector.js';
import { USCC_A, USCC_B } from '../authority/helpers.js';

function capture(): Output & { out: string[]; err: string[]; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    line: (t = '') => out.push(t),
    error: (t) => err.push(t),
    text: () => [...out, ...err].join('\n'),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('cli: authority, member, wallet and credential commands', function () {
  this.timeout(30_000);
  let dir: string;
  let authorityDir: string;
  let authority: RunningAuthority;
  const connectors: RunningConnector[] = [];

  async function connector(name: string): Promise<{ running: RunningConnector; dir: string }> {
    const connectorDir = join(dir, name);
    const running = await startConnector({
      dataDir: connectorDir,
      port: 0,
      authorityUrl: authority.url,
      revocationCheckIntervalMs: 0,
    });
    connectors.push(running);
    // What `shuyu connector start` records; `member apply` reads it to sign as this connector.
    await writeFile(
      join(connectorDir, 'connector.json'),
      JSON.stringify({ publicUrl: running.url, authorityUrl: authority.url }),
    );
    return { running, dir: connectorDir };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-cli-authority-'));
    authorityDir = join(dir, 'authority');
    const port = await freePort();
    const io = capture();
    expect(await main(['authority', 'init', '--dir', authorityDir, '--port', String(port)], io)).to.equal(0);
    expect(io.text()).to.match(/admin key: {2}shuyu_admin_/);
    authority = await startAuthority({ dataDir: authorityDir });
    expect(authority.url).to.equal(`http://127.0.0.1:${port}`);
  });

  after(async () => {
    for (const c of connectors) await c.close();
    await authority?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the admin key owner-only and refuses to initialise the same directory twice', async () => {
    expect((await stat(join(authorityDir, 'admin-api-key'))).mode & 0o077).to.equal(0);
    const io = capture();
    expect(await main(['authority', 'init', '--dir', authorityDir], io)).to.equal(1);
    expect(io.text()).to.match(/already holds an authority/);
  });

  it('walks a member from application to approval, and a rejection with its reason', async () => {
    const hospital = await connector('hospital');
    const io = capture();
    const code = await main(
      [
        'member',
        'apply',
        '--connector-dir',
        hospital.dir,
        '--organisation',
        'Beijing Research Hospital',
        '--registration',
        USCC_A,
        '--sector',
        'medical:hospital,research-institute',
        '--grade',
        'important',
        '--contact',
        'data-office@hospital.example',
      ],
      io,
    );
    expect(code, io.text()).to.equal(0);
    const applicationId = /application (urn:uuid:[0-9a-f-]+) is pending/.exec(io.text())?.[1];
    expect(applicationId).to.be.a('string');

    const list = capture();
    expect(await main(['member', 'list', '--dir', authorityDir], list)).to.equal(0);
    expect(list.text()).to.include(applicationId).and.include('Beijing Research Hospital');

    const approve = capture();
    expect(await main(['member', 'approve', String(applicationId), '--dir', authorityDir], approve)).to.equal(
      0,
    );
    expect(approve.text())
      .to.match(/MembershipCredential/)
      .and.match(/SectorCredential/);

    await hospital.running.collectCredentials();
    const wallet = capture();
    expect(await main(['wallet', 'list', '--dir', hospital.dir], wallet)).to.equal(0);
    expect(wallet.text())
      .to.match(/3 credential\(s\)/)
      .and.include(authority.did);

    const bank = await connector('bank');
    const bankApply = capture();
    await main(
      [
        'member',
        'apply',
        '--connector-dir',
        bank.dir,
        '--organisation',
        'Haidian Bank',
        '--registration',
        USCC_B,
        '--sector',
        'finance:bank',
        '--contact',
        'ops@bank.example',
      ],
      bankApply,
    );
    const bankId = /application (urn:uuid:[0-9a-f-]+)/.exec(bankApply.text())?.[1];
    const noReason = capture();
    expect(await main(['member', 'reject', String(bankId), '--dir', authorityDir], noReason)).to.equal(2);
    const reject = capture();
    expect(
      await main(
        [
          'member',
          'reject',
          String(bankId),
          '--reason',
          'registration number not found',
          '--dir',
          authorityDir,
        ],
        reject,
      ),
    ).to.equal(0);
    const mine = await bank.running.authority.myApplications();
    expect(mine[0]).to.include({ state: 'rejected', decisionNote: 'registration number not found' });
  });

  it('explains a bad application field by field and stores nothing', async () => {
    const clinic = await connector('clinic');
    const io = capture();
    const code = await main(
      [
        'member',
        'apply',
        '--connector-dir',
        clinic.dir,
        '--organisation',
        'Clinic',
        '--registration',
        '12345',
        '--sector',
        'medical:bank',
        '--contact',
        'x@clinic.example',
      ],
      io,
    );
    expect(code).to.equal(1);
    expect(io.text()).to.match(/\/registrationNumber: must be an 18-character unified social credit code/);
    expect(io.text()).to.match(/\/sectors\/0\/roles\/0: "bank" is not a role of the medical sector/);
    expect(await clinic.running.authority.myApplications()).to.deep.equal([]);
  });

  it('verifies a credential offline, check by check, and names the failing check', async () => {
    const [hospital] = connectors as [RunningConnector];
    const [membership] = (await hospital.wallet.list()).filter((c) => c.type === 'MembershipCredential');
    const credentialFile = join(dir, 'membership.jwt');
    await writeFile(credentialFile, String(membership?.credential));
    const didDocFile = join(dir, 'authority-did.json');
    await writeFile(didDocFile, await (await fetch(`${authority.url}/.well-known/did.json`)).text());
    const revocationFile = join(dir, 'revocation.jwt');
    await writeFile(
      revocationFile,
      await (await fetch(`${authority.url}/authority/v1/status/revocation`)).text(),
    );
    const suspensionFile = join(dir, 'suspension.jwt');
    await writeFile(
      suspensionFile,
      await (await fetch(`${authority.url}/authority/v1/status/suspension`)).text(),
    );
    const full = [
      '--did-document',
      didDocFile,
      '--status-list',
      revocationFile,
      '--status-list',
      suspensionFile,
    ];

    const ok = capture();
    expect(
      await main(['credential', 'verify', credentialFile, '--trust', authority.did, ...full], ok),
    ).to.equal(0);
    expect(ok.text())
      .to.match(/VALID/)
      .and.match(/ok {3}signature/)
      .and.match(/ok {3}status: neither revoked/);

    const partial = capture();
    expect(
      await main(['credential', 'verify', credentialFile, '--did-document', didDocFile], partial),
    ).to.equal(0);
    expect(partial.text())
      .to.match(/skip issuer trusted/)
      .and.match(/skip status/);

    const wrongIssuer = capture();
    expect(
      await main(
        ['credential', 'verify', credentialFile, '--trust', 'did:web:other.example', ...full],
        wrongIssuer,
      ),
    ).to.equal(1);
    expect(wrongIssuer.text()).to.match(/FAIL issuer trusted/);

    const [header, payload, signature] = String(membership?.credential).split('.') as [
      string,
      string,
      string,
    ];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      credentialSubject: { role: string };
    };
    claims.credentialSubject.role = 'admin';
    const tamperedFile = join(dir, 'tampered.jwt');
    await writeFile(
      tamperedFile,
      `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`,
    );
    const tampered = capture();
    expect(await main(['credential', 'verify', tamperedFile, ...full, '--json'], tampered)).to.equal(1);
    const report = JSON.parse(tampered.out.join('\n')) as { valid: boolean; code: string };
    expect(report).to.include({ valid: false, code: 'ERR_CREDENTIAL_SIGNATURE_INVALID' });

    const expired = capture();
    expect(
      await main(['credential', 'verify', credentialFile, ...full, '--at', '2099-01-01T00:00:00Z'], expired),
    ).to.equal(1);
    expect(expired.text()).to.match(/FAIL validity period/);

    const noDoc = capture();
    expect(await main(['credential', 'verify', credentialFile], noDoc)).to.equal(1);
    expect(noDoc.text()).to.match(/FAIL signature/);

    // A presentation of the wallet, as the Credential Service answers it.
    const vp = await createPresentationJwt({
      holder: hospital.identity.signer(),
      credentials: (await hospital.wallet.presentable(new Date())).map((c) => c.credential),
      audience: 'did:web:peer.example',
      nonce: 'n-1',
    });
    const vpFile = join(dir, 'presentation.jwt');
    await writeFile(vpFile, vp);
    const holderDoc = join(dir, 'hospital-did.json');
    await writeFile(holderDoc, JSON.stringify(hospital.identity.didDocument()));
    const presentation = capture();
    expect(
      await main(
        ['credential', 'verify', vpFile, '--trust', authority.did, '--did-document', holderDoc, ...full],
        presentation,
      ),
    ).to.equal(0);
    expect(presentation.text())
      .to.match(/presentation by did:web/)
      .and.match(/3 of 3 valid/);
  });

  it('suspends, reinstates and revokes with reasons, visible in the status lists', async () => {
    const [hospital] = connectors as [RunningConnector];
    const did = hospital.did;
    const suspend = capture();
    expect(
      await main(['member', 'suspend', did, '--reason', 'audit overdue', '--dir', authorityDir], suspend),
    ).to.equal(0);
    expect(suspend.text()).to.match(/is now suspended/);
    expect(await main(['member', 'reinstate', did, '--dir', authorityDir], capture())).to.equal(0);
    const revoke = capture();
    expect(await main(['member', 'revoke', did, '--reason', 'left', '--dir', authorityDir], revoke)).to.equal(
      0,
    );
    const again = capture();
    expect(await main(['member', 'revoke', did, '--reason', 'left', '--dir', authorityDir], again)).to.equal(
      1,
    );
    expect(again.text()).to.match(/is revoked; revoke applies only to active or suspended members/);

    const [membership] = (await hospital.wallet.list()).filter((c) => c.type === 'MembershipCredential');
    const credentialFile = join(dir, 'revoked.jwt');
    await writeFile(credentialFile, String(membership?.credential));
    const didDocFile = join(dir, 'authority-did.json');
    const revocationFile = join(dir, 'revocation-now.jwt');
    await writeFile(
      revocationFile,
      await (await fetch(`${authority.url}/authority/v1/status/revocation`)).text(),
    );
    const verify = capture();
    expect(
      await main(
        [
          'credential',
          'verify',
          credentialFile,
          '--did-document',
          didDocFile,
          '--status-list',
          revocationFile,
        ],
        verify,
      ),
    ).to.equal(1);
    expect(verify.text()).to.match(/FAIL status: .*revoked/);
    expect(await readFile(didDocFile, 'utf8')).to.include(authority.did);
  });

  it('refuses admin commands without a valid key, saying where the key comes from', async () => {
    const io = capture();
    expect(
      await main(['member', 'list', '--dir', join(dir, 'nowhere'), '--admin-url', authority.admin.url], io),
    ).to.equal(2);
    expect(io.text()).to.match(/SHUYU_ADMIN_KEY/);
    process.env.SHUYU_ADMIN_KEY = 'shuyu_admin_wrong';
    try {
      const wrong = capture();
      expect(await main(['member', 'list', '--admin-url', authority.admin.url], wrong)).to.equal(1);
      expect(wrong.text()).to.match(/admin operation/);
    } finally {
      delete process.env.SHUYU_ADMIN_KEY;
    }
  });
});
