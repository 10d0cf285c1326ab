import { expect } from 'chai';
import { assertTestIdentityAllowed, createTestIdentity } from '../../connector/identity/index.js';
import { throwsWithCode } from './helpers.js';

const config = {
  enabled: true,
  token: 'test-token-0123456789abcdef',
  participantId: 'did:web:127.0.0.1%3A9001',
  claims: { credentialTypes: ['MembershipCredential'], memberRole: 'participant', sectors: ['medical'] },
};

describe('identity/test-identity', () => {
  it('maps the configured bearer token to the fixed participant and claims', () => {
    const identity = createTestIdentity(config, '127.0.0.1');
    const claims = identity.verifyAuthorization(`Bearer ${config.token}`);
    expect(claims).to.deep.equal({
      participantId: config.participantId,
      credentialTypes: ['MembershipCredential'],
      memberRole: 'participant',
      sectors: ['medical'],
      sectorRoles: [],
    });
    expect(Object.isFrozen(claims)).to.equal(true);
  });

  it('rejects any other token', () => {
    const identity = createTestIdentity(config, 'localhost');
    for (const header of [
      undefined,
      '',
      `Bearer ${config.token}x`,
      `Bearer ${config.token.slice(1)}`,
      config.token,
    ]) {
      throwsWithCode(() => identity.verifyAuthorization(header), 'ERR_TEST_IDENTITY_TOKEN_INVALID');
    }
  });

  it('must be enabled explicitly', () => {
    throwsWithCode(
      () => createTestIdentity({ ...config, enabled: false }, '127.0.0.1'),
      'ERR_TEST_IDENTITY_DISABLED',
    );
    const { enabled: _enabled, ...withoutFlag } = config;
    throwsWithCode(() => createTestIdentity(withoutFlag as never, '127.0.0.1'), 'ERR_TEST_IDENTITY_DISABLED');
    throwsWithCode(() => createTestIdentity(null as never, '127.0.0.1'), 'ERR_TEST_IDENTITY_DISABLED');
  });

  it('refuses non-loopback bind addresses', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'connector.example.com', '']) {
      const error = throwsWithCode(() => assertTestIdentityAllowed(host), 'ERR_TEST_IDENTITY_NOT_LOOPBACK');
      expect(error.message).to.contain('loopback');
      throwsWithCode(() => createTestIdentity(config, host), 'ERR_TEST_IDENTITY_NOT_LOOPBACK');
    }
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])
      assertTestIdentityAllowed(host);
  });

  it('refuses weak tokens and missing participant ids', () => {
    throwsWithCode(
      () => createTestIdentity({ ...config, token: 'short' }, '127.0.0.1'),
      'ERR_TEST_IDENTITY_CONFIG_INVALID',
    );
    throwsWithCode(
      () => createTestIdentity({ ...config, participantId: '' }, '127.0.0.1'),
      'ERR_TEST_IDENTITY_CONFIG_INVALID',
    );
  });
});
