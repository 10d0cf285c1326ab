// The compose file validates (docker-compose config, which needs no Docker engine) and every service runs
// a command the CLI accepts, with the ports `shuyu start` really uses.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { AUTHORITY_PORT, SECTOR_PORTS } from '../../seeds/dataspace.js';

const run = promisify(execFile);
const COMPOSE = '/usr/bin/docker-compose';

interface Service {
  command: string[];
  environment: Record<string, string>;
  volumes: string[];
}

describe('docker: the compose file', () => {
  const file = YAML.parse(readFileSync('docker/compose.yaml', 'utf8')) as {
    services: Record<string, Service>;
  };

  it('validates with docker-compose config', async function () {
    if (!existsSync(COMPOSE)) {
      console.warn(`    (skipped: ${COMPOSE} is not installed; CI installs Debian's docker-compose)`);
      this.skip();
    }
    const { stdout } = await run(COMPOSE, ['-f', 'docker/compose.yaml', 'config']);
    expect(stdout).to.include('authority').and.include('medical');
  });

  it('runs the authority and one service per sector, each with its own volume and the real ports', () => {
    expect(Object.keys(file.services).sort()).to.deep.equal([
      'authority',
      'education',
      'energy',
      'finance',
      'medical',
    ]);
    for (const [name, service] of Object.entries(file.services)) {
      expect(service.command.slice(0, 3)).to.deep.equal(['start', '--only', name]);
      expect(service.volumes[0]).to.match(new RegExp(`^${name}-data:/data`));
      const port = name === 'authority' ? AUTHORITY_PORT : SECTOR_PORTS[name as keyof typeof SECTOR_PORTS];
      expect(service.environment.SHUYU_HEALTH_PORT, name).to.equal(String(port));
    }
  });

  it('has a multi-stage Dockerfile that runs as a non-root user', () => {
    const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
    expect(dockerfile.match(/^FROM /gm)).to.have.length(2);
    expect(dockerfile)
      .to.match(/^USER node$/m)
      .and.match(/^HEALTHCHECK /m);
  });
});

describe('docker: the PostgreSQL compose file', () => {
  const file = YAML.parse(readFileSync('docker/compose.postgres.yaml', 'utf8'), { merge: true }) as {
    services: Record<string, Service & { image?: string }>;
  };

  it('validates with docker-compose config', async function () {
    if (!existsSync(COMPOSE)) {
      console.warn(`    (skipped: ${COMPOSE} is not installed; CI installs Debian's docker-compose)`);
      this.skip();
    }
    const { stdout } = await run(COMPOSE, ['-f', 'docker/compose.postgres.yaml', 'config']);
    expect(stdout).to.include('postgres').and.include('connector-2').and.include('haproxy');
  });

  it('runs two replicas of one connector on one database and data directory, behind the proxy', () => {
    const replicas = ['connector-1', 'connector-2'].map((name) => file.services[name]!);
    const proxyConfig = readFileSync('docker/haproxy.cfg', 'utf8');
    for (const [i, replica] of replicas.entries()) {
      const port = replica.command[replica.command.indexOf('--port') + 1]!;
      expect(replica.command.slice(0, 2)).to.deep.equal(['connector', 'start']);
      expect(replica.command[replica.command.indexOf('--public-url') + 1]).to.equal('http://127.0.0.1:7800');
      expect(replica.environment.SHUYU_DATABASE_URL).to.match(/^postgres:\/\/.*@127\.0\.0\.1:5432\/shuyu$/);
      expect(replica.environment.SHUYU_HEALTH_PORT).to.equal(port);
      expect(replica.volumes).to.deep.equal(['connector-data:/data']);
      expect(proxyConfig).to.include(`server connector-${i + 1} 127.0.0.1:${port}`);
    }
    expect(proxyConfig).to.match(/bind 127\.0\.0\.1:7800/);
    expect(file.services.postgres?.image).to.match(/^postgres:/);
  });
});
