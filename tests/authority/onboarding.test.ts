// End to end: an authority and two connectors on 127.0.0.1 with real SQLite files. A member applies, is
// approved, collects its credentials, proves who it is to another connector; suspension and revocation
// take effect; admins and applicants see only what they may.
import { expect } from 'chai';
import type { RunningConnector } from '../../connector/process/connector.js';
import {
  bankApplication,
  hospitalApplication,
  onboard,
  request,
  startLocalDataSpace,
  whoami,
  type LocalDataSpace,
} from './helpers.js';

describe('authority: onboarding end to end', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let hospital: RunningConnector;
  let bank: RunningConnector;

  before(async () => {
    space = await startLocalDataSpace();
    // Revocation must show up at once in this test (default: within 5 minutes).
    hospital = await space.startConnector('hospital', { revocationCheckIntervalMs: 0 });
    bank = await space.startConnector('bank', { revocationCheckIntervalMs: 0 });
  });
  after(async () => space?.close());

  it('serves each process its own did:web document', async () => {
    for (const [url, did] of [
      [space.authority.url, space.authority.did],
      [hospital.url, hospital.did],
    ] as const) {
      const { status, body } = await request(`${url}/.well-known/did.json`);
      expect(status).to.equal(200);
      expect(body.id).to.equal(did);
      expect(did).to.match(/^did:web:127\.0\.0\.1%3A\d+$/);
    }
  });

  it('takes an application, lets the admin approve it and the member collect three credentials', async () => {
    const applied = await hospital.authority.apply(hospitalApplication());
    expect(applied).to.include({ state: 'pending', applicantDid: hospital.did });

    const pending = await space.admin('GET', '/applications?state=pending');
    expect(pending.status).to.equal(200);
    expect((pending.body.applications as { id: string }[]).map((a) => a.id)).to.deep.equal([applied.id]);

    // Not a member yet: nothing to collect, and the answer says why.
    const early = await hospital.collectCredentials().catch((e: Error) => e);
    expect(String(early)).to.match(/not a member yet: its application .* is pending/);

    const approved = await space.admin(
      'POST',
      `/applications/${encodeURIComponent(String(applied.id))}/approve`,
      {
        note: 'registration checked against the national enterprise credit system',
      },
    );
    expect(approved.status).to.equal(200);
    expect((approved.body.application as { state: string }).state).to.equal('approved');

    expect(await hospital.collectCredentials()).to.equal(3);
    const wallet = await hospital.wallet.list();
    expect(wallet.map((c) => c.type).sort()).to.deep.equal([
      'DataGradeClearance',
      'MembershipCredential',
      'SectorCredential',
    ]);
    expect(wallet.every((c) => c.issuer === space.authority.did)).to.equal(true);
  });

  it('lets a member prove who it is to another connector, which sees its verified claims', async () => {
    await onboard(space, bank, bankApplication(), { dataGradeClearance: 'JR-L2' });
    const answer = await whoami(hospital, await bank.requestTokenFor(hospital.did));
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(answer.body.caller).to.equal(bank.did);
    expect(answer.body.claims).to.deep.include({
      participantId: bank.did,
      dataSpace: space.authority.did,
      memberRole: 'participant',
      organisationName: 'Haidian Commercial Bank',
      sectors: ['finance'],
      sectorRoles: ['bank'],
      // The admin granted less than was asked for.
      dataGradeClearance: 'JR-L2',
    });
  });

  it('shows applicants only their own applications', async () => {
    const mine = await bank.authority.myApplications();
    expect(mine).to.have.length(1);
    expect(mine[0]?.applicantDid).to.equal(bank.did);
  });

  it('refuses a suspended member, and accepts it again once reinstated', async () => {
    const suspended = await space.admin('POST', `/members/${encodeURIComponent(bank.did)}/suspend`, {
      reason: 'overdue security audit',
    });
    expect(suspended.status).to.equal(200);
    expect(suspended.body.state).to.equal('suspended');

    const refused = await whoami(hospital, await bank.requestTokenFor(hospital.did));
    expect(refused.status).to.equal(403);
    expect(String(refused.body.type)).to.match(/credential-suspended$/);

    const reinstated = await space.admin('POST', `/members/${encodeURIComponent(bank.did)}/reinstate`, {});
    expect(reinstated.status).to.equal(200);
    expect((await whoami(hospital, await bank.requestTokenFor(hospital.did))).status).to.equal(200);
  });

  it('refuses a revoked member with the reason, and gives it no credentials any more', async () => {
    const revoked = await space.admin('POST', `/members/${encodeURIComponent(bank.did)}/revoke`, {
      reason: 'left the data space',
    });
    expect(revoked.status).to.equal(200);
    const refused = await whoami(hospital, await bank.requestTokenFor(hospital.did));
    expect(refused.status).to.equal(403);
    expect(String(refused.body.type)).to.match(/credential-revoked$/);
    expect(String(refused.body.detail)).to.match(/revoked/);

    const collect = await bank.collectCredentials().catch((e: Error) => e);
    expect(String(collect)).to.match(/revoked: left the data space/);
    // Revocation is final: reinstating is refused.
    const reinstate = await space.admin('POST', `/members/${encodeURIComponent(bank.did)}/reinstate`, {});
    expect(reinstate.status).to.equal(409);
    // The hospital is unaffected.
    expect((await whoami(bank, await hospital.requestTokenFor(bank.did))).status).to.equal(200);
  });

  it('records every admin action with who and when', async () => {
    const audit = await space.admin('GET', '/audit?limit=20');
    expect(audit.status).to.equal(200);
    const entries = audit.body.entries as { actor: string; action: string; subject: string; at: string }[];
    const actions = entries.map((e) => `${e.actor} ${e.action}`);
    expect(actions).to.include.members([
      'admin:test-admin application.approve',
      'admin:test-admin member.suspend',
      'admin:test-admin member.reinstate',
      'admin:test-admin member.revoke',
      `${hospital.did} application.submit`,
    ]);
    for (const entry of entries) expect(Number.isNaN(Date.parse(entry.at))).to.equal(false);
  });

  it('keeps members, credentials and status lists across a restart of the authority', async () => {
    const again = await space.restartAuthority();
    const members = await again.service.listMembers();
    expect(members.map((m) => `${m.did} ${m.state}`).sort()).to.deep.equal(
      [`${bank.did} revoked`, `${hospital.did} active`].sort(),
    );
    const refused = await whoami(hospital, await bank.requestTokenFor(hospital.did));
    expect(refused.status).to.equal(403);
    expect((await whoami(bank, await hospital.requestTokenFor(bank.did))).status).to.equal(200);
  });
});
